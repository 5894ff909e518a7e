/** The {@code herald} command; an application, so it exports nothing. */
module dev.herald.cli {
  requires dev.herald.log;
  requires dev.herald.server;
  requires info.picocli;
  requires me.tongfei.progressbar;
  requires com.fasterxml.jackson.databind;
  requires java.net.http;
  requires jdk.unsupported;

  // picocli reads the commands' annotated fields and constructors by reflection.
  opens dev.herald.cli to
      info.picocli;
}
