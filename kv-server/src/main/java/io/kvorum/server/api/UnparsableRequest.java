package io.kvorum.server.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;
import io.grpc.StatusRuntimeException;
import io.kvorum.proto.v1.ErrorReason;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Stands in for a request whose bytes did not parse (proto3 refuses a string field that is
 * not UTF-8, and any malformed message), so the call can be answered INVALID_ARGUMENT naming
 * the field instead of the UNKNOWN/INTERNAL gRPC gives a marshaller that throws.
 */
record UnparsableRequest(String field, String problem) {

    /** Diagnoses {@code bytes}, which failed to parse as a {@code type}. */
    static UnparsableRequest of(Descriptor type, byte[] bytes, Exception parseError) {
        String field = invalidUtf8Field(type, ByteString.copyFrom(bytes), "");
        if (field != null) {
            return new UnparsableRequest(field, field + " is not valid UTF-8");
        }
        return new UnparsableRequest(null, type.getName() + " is malformed (" + parseError.getMessage() + ")");
    }

    StatusRuntimeException status() {
        return Errors.of(ErrorReason.INVALID_DATA, "request is not valid: " + problem, "field", field);
    }

    /**
     * The first string field (as {@code ops[2].create.path}) whose bytes are not UTF-8, walking
     * the wire format by hand because the generated parser stops at the first such field
     * without saying which; null when there is none or the bytes are malformed otherwise.
     */
    static String invalidUtf8Field(Descriptor type, ByteString bytes, String prefix) {
        CodedInputStream in = bytes.newCodedInput();
        Map<Integer, Integer> seen = new HashMap<>();
        try {
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                FieldDescriptor f = type.findFieldByNumber(WireFormat.getTagFieldNumber(tag));
                if (f == null || WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    in.skipField(tag);
                    continue;
                }
                ByteString value = in.readBytes();
                int index = seen.merge(f.getNumber(), 1, Integer::sum) - 1;
                String name = prefix + f.getName() + (f.isRepeated() ? "[" + index + "]" : "");
                if (f.getType() == FieldDescriptor.Type.STRING && !value.isValidUtf8()) {
                    return name;
                }
                if (f.getType() == FieldDescriptor.Type.MESSAGE) {
                    String inner = invalidUtf8Field(f.getMessageType(), value, name + ".");
                    if (inner != null) {
                        return inner;
                    }
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }
}
