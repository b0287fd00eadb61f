package io.kvorum.server.api;

import io.kvorum.proto.v1.ErrorReason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque children page tokens: the last name of the previous page, versioned and base64url
 * encoded so clients treat it as a cookie and we may change what it holds later.
 */
final class PageTokens {
    private static final String VERSION = "1:";

    private PageTokens() {
    }

    static String encode(String lastName) {
        if (lastName == null) {
            return "";
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString((VERSION + lastName)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The name to list after, or null for the first page; INVALID_ARGUMENT for a token we never made. */
    static String decode(String token, String path) {
        if (token.isEmpty()) {
            return null;
        }
        try {
            byte[] raw = Base64.getUrlDecoder().decode(token);
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
            if (s.startsWith(VERSION) && s.length() > VERSION.length()) {
                return s.substring(VERSION.length());
            }
        } catch (IllegalArgumentException | CharacterCodingException e) {
            // falls through to the error below
        }
        throw Errors.invalid(ErrorReason.INVALID_DATA, path, "page_token for " + PathRules.quote(path)
                + " is not one this server issued: pass next_page_token from the previous page unchanged");
    }
}
