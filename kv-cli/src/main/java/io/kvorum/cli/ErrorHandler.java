package io.kvorum.cli;

import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a command's failure into one sentence on stderr and its exit code ({@link ExitCodes}).
 * {@link UsageError} also prints the command's usage. {@code KVORUM_DEBUG=1} adds the stack trace.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
    private final Cli cli;

    ErrorHandler(Cli cli) {
        this.cli = cli;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        Throwable e = Errors.unwrap(ex);
        PrintStream err = cli.err();
        err.println("Error: " + Errors.sentence(e));
        if (cli.env().containsKey("KVORUM_DEBUG")) {
            e.printStackTrace(err);
        }
        if (e instanceof UsageError) {
            cmd.usage(err);
            err.flush();
            return ExitCodes.USAGE;
        }
        err.flush();
        return ExitCodes.of(e);
    }
}
