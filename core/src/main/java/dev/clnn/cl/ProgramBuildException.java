package dev.clnn.cl;

/** A kernel failed to compile. The message holds the source path, the options and the build log. */
public final class ProgramBuildException extends ClException {
    private static final long serialVersionUID = 1L;

    private final String buildLog;
    private final String options;

    ProgramBuildException(int status, String source, String options, String device, String buildLog) {
        super(status, "clBuildProgram", null, "while building " + source + " for " + device
                + " with options [" + options + "]\nbuild log:\n" + buildLog);
        this.buildLog = buildLog;
        this.options = options;
    }

    public String buildLog() { return buildLog; }

    public String options() { return options; }
}
