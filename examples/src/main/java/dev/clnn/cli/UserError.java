package dev.clnn.cli;

/**
 * A mistake the user can fix (a missing input file, an output path that cannot be written, an
 * impossible size): {@link Main} prints {@code clnn: MESSAGE} and exits with code 2, without a
 * stack trace.
 */
final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserError(String message) {
        super(message);
    }
}
