package io.kvorum.client;

/** The caller may not do this (PERMISSION_DENIED). */
public class PermissionDeniedException extends KvorumException {
    public PermissionDeniedException(String message, Throwable cause, String reason, String path, int opIndex) {
        super(message, cause, reason, path, opIndex);
    }
}
