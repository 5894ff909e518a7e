package dev.herald.server.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which hosts a webhook may target. A server with tokens refuses, unless started with {@code
 * --allow-private-webhooks}, any URL whose host resolves to an address that is not public, so that
 * a subscriber cannot make the gateway POST into its own network (server-side request forgery):
 *
 * <ul>
 *   <li>any-local ({@code 0.0.0.0/8}, {@code ::}) and loopback ({@code 127.0.0.0/8}, {@code ::1});
 *   <li>link-local ({@code 169.254.0.0/16}, cloud metadata services included; {@code fe80::/10});
 *   <li>private ({@code 10.0.0.0/8}, {@code 172.16.0.0/12}, {@code 192.168.0.0/16}; IPv6 unique
 *       local {@code fc00::/7} and the old site-local {@code fec0::/10});
 *   <li>carrier-grade NAT ({@code 100.64.0.0/10}), multicast, and the broadcast address;
 *   <li>an IPv6 address that embeds an IPv4 one is judged by that IPv4 address: IPv4-mapped {@code
 *       ::ffff:0:0/96}, IPv4-compatible {@code ::/96}, NAT64 {@code 64:ff9b::/96} (the last 32
 *       bits), 6to4 {@code 2002::/16} (bits 16 to 47), and Teredo {@code 2001::/32}, which carries
 *       two: its server's (bits 32 to 63) and its client's (the last 32 bits, inverted), both of
 *       which must be public;
 *   <li>the NAT64 local-use prefix {@code 64:ff9b:1::/48}, whose IPv4 address may sit at several
 *       places, is private as a whole.
 * </ul>
 *
 * Every address the host resolves to must be public: a name with one private address among public
 * ones is refused. A host that does not resolve is refused too (nothing could be checked).
 *
 * <p>The check runs when a subscription is made, before its handshake and before each delivery, so
 * a name whose DNS answer changes to a private address after the subscription was made is refused
 * then. The handshake and each delivery resolve the name once ({@link #addresses}) and connect to
 * exactly the addresses that check approved: the HTTP client resolves nothing itself ({@link
 * WebhookClient}), so a DNS answer that changes between the check and the connection is never used.
 *
 * <p>Immutable and thread-safe, if its resolver is; a lookup runs on the calling thread (the
 * request's, or the subscription's own delivery thread).
 */
final class WebhookTargets {
  /** Resolves a host name or literal to its addresses; a seam for tests. */
  @FunctionalInterface
  interface HostResolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /** The system's resolver, through the JVM's address cache. */
  static final HostResolver SYSTEM = InetAddress::getAllByName;

  static final String HOW_TO_ALLOW =
      "start the server with --allow-private-webhooks"
          + " (HeraldServer.Builder.allowPrivateWebhookTargets) to allow it";

  private static final WebhookTargets ANY =
      new WebhookTargets(false, SYSTEM, WebhookTargets::nonPublicKind);

  private final boolean publicOnly;
  private final HostResolver resolver;
  private final Function<InetAddress, String> policy;

  private WebhookTargets(
      boolean publicOnly, HostResolver resolver, Function<InetAddress, String> policy) {
    this.publicOnly = publicOnly;
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  /** Every target allowed: a server without tokens (development) or one told to allow them. */
  static WebhookTargets any() {
    return ANY;
  }

  /** Only hosts whose every address is public, as {@code resolver} resolves them. */
  static WebhookTargets publicOnly(HostResolver resolver) {
    return new WebhookTargets(true, resolver, WebhookTargets::nonPublicKind);
  }

  /**
   * Only hosts whose every address {@code policy} calls public (it answers null for those, else
   * what kind of address it is), as {@code resolver} resolves them; a seam for tests, which have
   * loopback addresses only.
   */
  static WebhookTargets publicOnly(HostResolver resolver, Function<InetAddress, String> policy) {
    return new WebhookTargets(true, resolver, policy);
  }

  /**
   * Every target allowed, its host resolved by {@code resolver}: a seam for tests, which need no
   * DNS for a name.
   */
  static WebhookTargets any(HostResolver resolver) {
    return new WebhookTargets(false, resolver, WebhookTargets::nonPublicKind);
  }

  /** Whether this checks targets (public addresses only), which needs their names resolved here. */
  boolean checks() {
    return publicOnly;
  }

  /**
   * Why {@code url} may not be targeted, for a client to read (it starts with {@code url: }), or
   * empty when it may. Resolves the host only when it checks (with tokens).
   */
  Optional<String> refusal(URI url) {
    if (!publicOnly) {
      return Optional.empty();
    }
    try {
      addresses(url);
      return Optional.empty();
    } catch (Refused e) {
      return Optional.of(e.getMessage());
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a checking resolution refuses, it does not throw", e);
    }
  }

  /**
   * The addresses a request to {@code url} may connect to: its host resolved once, and, when this
   * checks, every one of them public. The HTTP client connects to these and resolves nothing itself
   * ({@link WebhookClient}).
   *
   * @throws Refused when this checks and the host is not public or does not resolve; the message is
   *     the refusal, for a client to read
   * @throws UnknownHostException when this does not check and the host does not resolve
   */
  List<InetAddress> addresses(URI url) throws Refused, UnknownHostException {
    String host = url.getHost();
    if (host == null || host.isEmpty()) {
      throw new Refused("url: names no host");
    }
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(host);
    } catch (UnknownHostException | RuntimeException e) {
      if (!publicOnly) {
        throw e instanceof UnknownHostException u ? u : unknown(host, e);
      }
      throw new Refused(
          "url: "
              + WebhookDefinition.abbreviate(host, 255)
              + " does not resolve, so it cannot be checked to be a public address");
    }
    if (addresses == null || addresses.length == 0) {
      if (!publicOnly) {
        throw unknown(host, null);
      }
      throw new Refused("url: " + WebhookDefinition.abbreviate(host, 255) + " does not resolve");
    }
    List<InetAddress> all = List.of(addresses);
    if (!publicOnly) {
      return all;
    }
    for (InetAddress a : all) {
      // A literal host is its own address (an IPv6 literal's text may differ from Java's form).
      boolean literal = host.startsWith("[") || host.equalsIgnoreCase(a.getHostAddress());
      String kind = policy.apply(a);
      if (kind != null) {
        String what = (kind.startsWith("a") ? "an " : "a ") + kind + " address";
        throw new Refused(
            (literal
                    ? "url: " + host + " is " + what
                    : "url: " + host + " resolves to " + what + " " + a.getHostAddress())
                + "; on a server with tokens a webhook may target public addresses only; "
                + HOW_TO_ALLOW);
      }
    }
    return all;
  }

  private static UnknownHostException unknown(String host, Exception cause) {
    UnknownHostException u = new UnknownHostException(WebhookDefinition.abbreviate(host, 255));
    u.initCause(cause);
    return u;
  }

  /** A target this check refuses; the message says why, for a client to read. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String why) {
      super(why, null, false, false);
    }
  }

  /**
   * What kind of non-public address {@code a} is ({@code "loopback"}, {@code "private"}, ...), or
   * null for a public one.
   */
  static String nonPublicKind(InetAddress a) {
    byte[] b = a.getAddress();
    if (a instanceof Inet6Address) {
      boolean wellKnownNat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xFF) == 0xFF;
      if (wellKnownNat64 && (b[3] & 0xFF) == 0x9B && b[4] == 0 && b[5] == 1) {
        return "private"; // 64:ff9b:1::/48, NAT64 local use (RFC 8215)
      }
      List<byte[]> v4s = embeddedIpv4(b);
      if (!v4s.isEmpty()) {
        for (byte[] v4 : v4s) {
          String kind;
          try {
            kind = nonPublicKind(InetAddress.getByAddress(v4));
          } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are an IPv4 address", e);
          }
          if (kind != null) {
            return kind;
          }
        }
        return null;
      }
    }
    if (a.isAnyLocalAddress() || (a instanceof Inet4Address && b[0] == 0)) {
      return "any-local";
    }
    if (a.isLoopbackAddress()) {
      return "loopback";
    }
    if (a.isLinkLocalAddress()) {
      return "link-local";
    }
    if (a.isSiteLocalAddress() || (a instanceof Inet6Address && (b[0] & 0xFE) == 0xFC)) {
      return "private";
    }
    if (a instanceof Inet4Address && (b[0] & 0xFF) == 100 && (b[1] & 0xC0) == 64) {
      return "carrier-grade NAT";
    }
    if (a.isMulticastAddress()) {
      return "multicast";
    }
    if (a instanceof Inet4Address && (b[0] & b[1] & b[2] & b[3] & 0xFF) == 0xFF) {
      return "broadcast";
    }
    return null;
  }

  /**
   * The IPv4 addresses an IPv6 one carries, none for most: the last four bytes of an IPv4-mapped
   * ({@code ::ffff:0:0/96}), IPv4-compatible ({@code ::/96} but {@code ::} and {@code ::1}) or
   * NAT64 ({@code 64:ff9b::/96}) address; bytes 2 to 5 of a 6to4 one ({@code 2002::/16}, RFC 3056);
   * a Teredo one's server (bytes 4 to 7) and client (the last four bytes, each inverted) ({@code
   * 2001::/32}, RFC 4380).
   */
  private static List<byte[]> embeddedIpv4(byte[] b) {
    if ((b[0] & 0xFF) == 0x20 && b[1] == 0x02) {
      return List.of(new byte[] {b[2], b[3], b[4], b[5]});
    }
    if ((b[0] & 0xFF) == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
      byte[] client = {(byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15]};
      return List.of(new byte[] {b[4], b[5], b[6], b[7]}, client);
    }
    boolean zeros = true;
    for (int i = 0; i < 10; i++) {
      zeros &= b[i] == 0;
    }
    boolean mapped = zeros && (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
    boolean compatible =
        zeros && b[10] == 0 && b[11] == 0 && (b[12] | b[13] | b[14] | (b[15] & 0xFE)) != 0;
    boolean nat64 = (b[0] & 0xFF) == 0x00 && (b[1] & 0xFF) == 0x64 && (b[2] & 0xFF) == 0xFF;
    nat64 &= (b[3] & 0xFF) == 0x9B;
    for (int i = 4; i < 12 && nat64; i++) {
      nat64 = b[i] == 0;
    }
    if (!mapped && !compatible && !nat64) {
      return List.of();
    }
    return List.of(new byte[] {b[12], b[13], b[14], b[15]});
  }
}
