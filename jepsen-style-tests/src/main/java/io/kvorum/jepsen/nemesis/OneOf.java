package io.kvorum.jepsen.nemesis;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A kind of fault with several shapes (partitions: halves, leader isolated, ring, ...): each
 * start picks one at random. Grouping them keeps a mixed schedule fair between kinds, whatever
 * number of shapes each kind has.
 */
public final class OneOf implements Nemesis {
    private final String name;
    private final List<Nemesis> shapes;
    private Nemesis active;

    public OneOf(String name, List<Nemesis> shapes) {
        this.name = name;
        this.shapes = List.copyOf(shapes);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized String start(Random random) throws Exception {
        List<Nemesis> order = new ArrayList<>(shapes);
        java.util.Collections.shuffle(order, random);
        for (Nemesis n : order) {
            String what = n.start(random);
            if (what != null) {
                active = n;
                return n.name() + ": " + what;
            }
        }
        return null;
    }

    @Override
    public synchronized void stop() throws Exception {
        if (active != null) {
            Nemesis n = active;
            active = null;
            n.stop();
        }
    }

    @Override
    public synchronized void healAll() throws Exception {
        active = null;
        Exception first = null;
        for (Nemesis n : shapes) {
            try {
                n.healAll();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
