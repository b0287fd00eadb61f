package io.kvorum.client;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Data as the value records ({@link NodeData}, {@link WatchEvent}, {@link Op}) compare and show
 * it: by content, not by array identity, and readably in {@code toString}.
 */
final class Bytes {
    private static final int SHOWN = 64;

    private Bytes() {
    }

    /** UTF-8 text in quotes when the data is printable text, else its length and leading bytes in hex. */
    static String show(byte[] data) {
        if (data == null) {
            return "null";
        }
        String text = printableUtf8(data);
        if (text != null) {
            return text.length() <= SHOWN ? '"' + text + '"' : '"' + text.substring(0, SHOWN) + "\"...";
        }
        StringBuilder b = new StringBuilder().append(data.length).append(" bytes 0x");
        for (int i = 0; i < Math.min(data.length, SHOWN / 2); i++) {
            b.append(String.format("%02x", data[i]));
        }
        return data.length > SHOWN / 2 ? b.append("...").toString() : b.toString();
    }

    static boolean equal(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }

    static int hash(byte[] data) {
        return Arrays.hashCode(data);
    }

    private static String printableUtf8(byte[] data) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
            return s.chars().allMatch(c -> c >= 0x20 || c == '\n' || c == '\t') ? s : null;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
