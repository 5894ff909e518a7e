package dev.herald.codec;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Writes and reads the {@code ce_time} values of Herald's events ({@link Instant#toString()}'s
 * form: {@code yyyy-MM-ddTHH:mm:ss[.fff]Z}, UTC) without {@code DateTimeFormatter}, whose general
 * code costs a microsecond or more and a dozen objects per call: every stored event writes one, and
 * a feed reads one per record. Writing gives exactly {@link Instant#toString()}'s text; reading
 * leaves everything but plain UTC timestamps of years 0000 to 9999 (offsets, leap seconds, other
 * years, damaged text) to {@link Instant#parse}, so both accept and refuse the same inputs.
 * Stateless.
 */
final class Rfc3339 {
  private static final int MIN_LENGTH = "2000-01-01T00:00:00Z".length();

  private Rfc3339() {}

  /** {@code Instant.ofEpochMilli(epochMillis).toString()} as UTF-8 (ASCII) bytes. */
  static byte[] utf8(long epochMillis) {
    long seconds = Math.floorDiv(epochMillis, 1000L);
    int millis = (int) Math.floorMod(epochMillis, 1000L);
    long day = Math.floorDiv(seconds, 86_400L);
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    // Hinnant's civil_from_days, the inverse of epochDay below.
    long z = day + 719_468L;
    long era = Math.floorDiv(z, 146_097L);
    int dayOfEra = (int) (z - era * 146_097L);
    int yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
    int dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    int mp = (5 * dayOfYear + 2) / 153;
    int dayOfMonth = dayOfYear - (153 * mp + 2) / 5 + 1;
    int month = mp < 10 ? mp + 3 : mp - 9;
    long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    if (year < 0 || year > 9999) {
      return Instant.ofEpochMilli(epochMillis).toString().getBytes(StandardCharsets.US_ASCII);
    }
    byte[] b = new byte[millis == 0 ? MIN_LENGTH : MIN_LENGTH + 4];
    put(b, 0, (int) year, 4);
    b[4] = '-';
    put(b, 5, month, 2);
    b[7] = '-';
    put(b, 8, dayOfMonth, 2);
    b[10] = 'T';
    put(b, 11, secondOfDay / 3600, 2);
    b[13] = ':';
    put(b, 14, secondOfDay / 60 % 60, 2);
    b[16] = ':';
    put(b, 17, secondOfDay % 60, 2);
    if (millis != 0) {
      b[19] = '.';
      put(b, 20, millis, 3);
    }
    b[b.length - 1] = 'Z';
    return b;
  }

  private static void put(byte[] b, int at, int value, int digits) {
    for (int i = at + digits - 1; i >= at; i--) {
      b[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }

  /**
   * The instant {@code text} names; throws {@code DateTimeParseException} as {@link Instant#parse}.
   */
  static Instant parse(String text) {
    Instant fast = parseUtc(text);
    return fast != null ? fast : Instant.parse(text);
  }

  /** The instant of a plain UTC timestamp, or null when {@code text} is anything else. */
  private static Instant parseUtc(String s) {
    int n = s.length();
    if (n < MIN_LENGTH
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || s.charAt(10) != 'T'
        || s.charAt(13) != ':'
        || s.charAt(16) != ':'
        || s.charAt(n - 1) != 'Z') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if (year < 0
        || month < 1
        || month > 12
        || day < 1
        || day > lengthOfMonth(year, month)
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59) {
      return null;
    }
    int nanos = 0;
    if (n > MIN_LENGTH) {
      // A fraction: '.' and 1 to 9 digits before the 'Z'.
      int fractionDigits = n - MIN_LENGTH - 1;
      if (s.charAt(19) != '.' || fractionDigits < 1 || fractionDigits > 9) {
        return null;
      }
      int fraction = digits(s, 20, fractionDigits);
      if (fraction < 0) {
        return null;
      }
      nanos = fraction;
      for (int i = fractionDigits; i < 9; i++) {
        nanos *= 10;
      }
    }
    long seconds = epochDay(year, month, day) * 86_400L + hour * 3_600L + minute * 60L + second;
    return Instant.ofEpochSecond(seconds, nanos);
  }

  /** The decimal number in {@code s[from, from + count)}, or -1 if a character is not a digit. */
  private static int digits(String s, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      int d = s.charAt(i) - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  private static int lengthOfMonth(int year, int month) {
    return switch (month) {
      case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date (as {@code LocalDate.toEpochDay}). */
  private static long epochDay(int year, int month, int day) {
    // Howard Hinnant's days_from_civil: years counted from March, so February's length comes last.
    int y = month <= 2 ? year - 1 : year;
    int era = Math.floorDiv(y, 400);
    int yearOfEra = y - era * 400;
    int dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146_097L + dayOfEra - 719_468L;
  }
}
