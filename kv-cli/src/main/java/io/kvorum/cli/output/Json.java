package io.kvorum.cli.output;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.kvorum.client.Stat;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * The JSON shapes of {@code --output json}. Field names here are a contract with scripts:
 * add fields, never rename or remove them.
 *
 * <p>A stat is {@code {"createRevision","modRevision","version","childrenVersion",
 * "ephemeralOwner","dataLength","numChildren","ctimeMillis","mtimeMillis","mode","ttlMillis"}}
 * with {@code mode} one of {@code persistent, ephemeral, persistent_sequential,
 * ephemeral_sequential, container, persistent_with_ttl, persistent_sequential_with_ttl}.
 * Node data is given twice: {@code "data"}, the bytes as UTF-8 text (null when they are not
 * valid UTF-8), and {@code "dataBase64"}, the exact bytes.
 */
public final class Json {
    /** Compact (one line per value) and keeping nulls, so absent data is explicit. */
    public static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

    private Json() {
    }

    public static JsonObject stat(Stat s) {
        JsonObject o = new JsonObject();
        o.addProperty("createRevision", s.createRevision());
        o.addProperty("modRevision", s.modRevision());
        o.addProperty("version", s.version());
        o.addProperty("childrenVersion", s.childrenVersion());
        o.addProperty("ephemeralOwner", s.ephemeralOwner());
        o.addProperty("dataLength", s.dataLength());
        o.addProperty("numChildren", s.numChildren());
        o.addProperty("ctimeMillis", s.ctimeMillis());
        o.addProperty("mtimeMillis", s.mtimeMillis());
        o.addProperty("mode", s.mode() == null ? null : s.mode().name().toLowerCase(Locale.ROOT));
        o.addProperty("ttlMillis", s.ttl() == null ? 0 : s.ttl().toMillis());
        return o;
    }

    /** Adds {@code "data"} (UTF-8 text or null) and {@code "dataBase64"} to {@code o}. */
    public static void data(JsonObject o, byte[] data) {
        o.addProperty("data", utf8OrNull(data));
        o.addProperty("dataBase64", Base64.getEncoder().encodeToString(data));
    }

    /** The bytes as text when they are valid UTF-8, else null. */
    public static String utf8OrNull(byte[] data) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
