package org.lca4j.cli;

import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lca} command line: train, analyze, demo. */
@Command(name = "lca", mixinStandardHelpOptions = true, version = "lca4j 0.1.0",
        description = "Loss Change Allocation: which parameters helped and which hurt, step by step.",
        footer = {"", "The ./lca script also runs: test (the whole test suite), bench [--gpu] (benchmarks; bench --help)."},
        subcommands = {DemoCommand.class, TrainCommand.class, AnalyzeCommand.class, ViewCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code; errors become one line on stderr, not a stack trace. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println(qualifiedName(cmd) + ": error: " + oneLine(ex));
            if (System.getenv("LCA_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        // A mistyped option gets one line and where to look, not the whole usage text.
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine cmd = ex.getCommandLine();
            String hint = ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()
                    ? " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)" : "";
            String m = oneLine(ex);
            if (m.endsWith(".")) m = m.substring(0, m.length() - 1);
            cmd.getErr().println(qualifiedName(cmd) + ": error: " + m + hint + "; see " + qualifiedName(cmd) + " --help");
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError | StackOverflowError e) {
            // picocli hands only Exceptions to the handler above; an Error would end in a stack trace.
            CommandLine.ParseResult parsed = cl.getParseResult();
            while (parsed != null && parsed.subcommand() != null) parsed = parsed.subcommand();
            cl.getErr().println((parsed == null ? "lca" : qualifiedName(parsed.commandSpec().commandLine())) + ": error: " + oneLine(e));
            if (System.getenv("LCA_DEBUG") != null) e.printStackTrace(cl.getErr());
            return 1;
        }
    }

    private static String qualifiedName(CommandLine cmd) {
        return cmd.getParent() == null ? cmd.getCommandName() : qualifiedName(cmd.getParent()) + " " + cmd.getCommandName();
    }

    static String oneLine(Throwable ex) {
        // An UncheckedIOException that only wraps says nothing of its own ("java.io.IOException: …"); one
        // with a message of its own names what was being written and where, which must not be lost.
        Throwable t = ex instanceof UncheckedIOException u && u.getCause() != null && String.valueOf(u.getMessage()).equals(u.getCause().toString())
                ? u.getCause() : ex;
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof OutOfMemoryError) m = "out of memory (" + m + "); raise the heap with LCA_JAVA_OPTS=-Xmx16g";
        return m.replace('\n', ' ');
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
