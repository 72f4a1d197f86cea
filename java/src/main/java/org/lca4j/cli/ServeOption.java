package org.lca4j.cli;

import picocli.CommandLine.Option;

/** {@code --serve [PORT]} and {@code --host}, shared by train and demo. */
final class ServeOption {
    static final int DEFAULT_PORT = 8080;

    @Option(names = "--serve", arity = "0..1", paramLabel = "PORT", fallbackValue = "" + DEFAULT_PORT,
            description = "watch training live in the browser at http://HOST:PORT/ (PORT default " + DEFAULT_PORT + "; 0 = any free port); keeps serving after the run until Ctrl-C")
    Integer port;

    @Option(names = "--host", description = "address the live view listens on (default: ${DEFAULT-VALUE}, this machine only)", defaultValue = "127.0.0.1")
    String host;
}
