package org.lca4j;

import java.util.Locale;

/**
 * How the caller's user sets lca4j's options, so that a refusal names an option as they wrote it:
 * the command line's flag ({@code --max-splits 8}) or a builder's method
 * ({@code LcaListener.Builder.maxSplits(8)}), not a flag a library user never saw.
 */
public sealed interface OptionNames {
    /** The library's names with the command line's flags beside them: {@code maxSplits (--max-splits)}. */
    OptionNames COMMAND_LINE = new CommandLine();

    /** The methods of the builder type named, e.g. {@code "LcaListener.Builder"}. */
    static OptionNames builder(String type) {
        return new BuilderMethods(type);
    }

    /** The option as a refusal names it ({@code option} is the library's camel-case name). */
    String name(String option);

    /** How to set the option to a string value, for a refusal that suggests one. */
    String setting(String option, String value);

    /** {@code device (--device)}; {@code --device cpu}. */
    record CommandLine() implements OptionNames {
        @Override
        public String name(String option) {
            return option + " (" + flag(option) + ")";
        }

        @Override
        public String setting(String option, String value) {
            return flag(option) + " " + value;
        }

        private static String flag(String option) {
            return "--" + option.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
        }
    }

    /** {@code LcaListener.Builder.device}; {@code .device("cpu")}. */
    record BuilderMethods(String type) implements OptionNames {
        @Override
        public String name(String option) {
            return type + "." + option;
        }

        @Override
        public String setting(String option, String value) {
            return "." + option + "(\"" + value + "\")";
        }
    }
}
