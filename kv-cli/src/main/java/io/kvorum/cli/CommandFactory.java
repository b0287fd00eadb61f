package io.kvorum.cli;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import picocli.CommandLine;

/**
 * Makes command objects for picocli, handing each the {@link Cli} it runs in when it has a
 * constructor that takes one; everything else (mixins, converters) the default way.
 */
final class CommandFactory implements CommandLine.IFactory {
    private final Cli cli;
    private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

    CommandFactory(Cli cli) {
        this.cli = cli;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
        if (cls == GlobalOptions.class) {
            return cls.cast(cli.options());
        }
        Constructor<K> c;
        try {
            c = cls.getDeclaredConstructor(Cli.class);
        } catch (NoSuchMethodException e) {
            return fallback.create(cls);
        }
        try {
            c.setAccessible(true);
            return c.newInstance(cli);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }
}
