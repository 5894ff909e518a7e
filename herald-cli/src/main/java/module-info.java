/** The {@code herald} command; an application, so it exports nothing. */
module dev.herald.cli {
  requires dev.herald.log;
  requires info.picocli;
  requires com.fasterxml.jackson.databind;

  // picocli reads the commands' annotated fields and constructors by reflection.
  opens dev.herald.cli to
      info.picocli;
}
