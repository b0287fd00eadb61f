package io.kvorum.cli.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.kvorum.proto.v1.BatchError;
import io.kvorum.proto.v1.BatchItem;
import io.kvorum.proto.v1.BatchRefusal;
import io.kvorum.proto.v1.BatchRequest;
import io.kvorum.proto.v1.BatchResponse;
import io.kvorum.proto.v1.BatchResult;
import io.kvorum.proto.v1.GetResponse;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.SetResponse;
import org.junit.jupiter.api.Test;

/** The generator's hand-made wire format against the generated protobuf classes. */
class OpenLoopWritesTest {
    @Test
    void aPreEncodedBatchIsTheBatchRequestTheServerParses() throws Exception {
        SetRequest a = SetRequest.newBuilder().setPath("/bench/k0000001").setData(ByteString.copyFromUtf8("v"))
                .setExpectedVersion(-1).build();
        SetRequest b = SetRequest.newBuilder().setPath("/bench/k0000002").setData(ByteString.copyFrom(new byte[300]))
                .setExpectedVersion(-1).build();
        byte[] wire = OpenLoopWrites.encodeBatch(new long[]{1, 300}, new byte[][]{a.toByteArray(), b.toByteArray()},
                5_000);
        BatchRequest expected = BatchRequest.newBuilder()
                .addItems(BatchItem.newBuilder().setId(1).setTimeoutMillis(5_000).setSet(a))
                .addItems(BatchItem.newBuilder().setId(300).setTimeoutMillis(5_000).setSet(b)).build();
        assertEquals(expected, BatchRequest.parseFrom(wire));
    }

    @Test
    void answersAreScannedToIdAndCodeWhateverElseTheyCarry() throws Exception {
        BatchResponse response = BatchResponse.newBuilder()
                .addResults(BatchResult.newBuilder().setId(5).setSet(SetResponse.getDefaultInstance()))
                .addResults(BatchResult.newBuilder().setId(1L << 40).setError(BatchError.newBuilder()
                        .setMessage("refused").setDetails(ByteString.copyFromUtf8("details")).setCode(8)))
                .addResults(BatchResult.newBuilder().setId(6).setGet(GetResponse.getDefaultInstance()))
                .build();
        long[] scanned = OpenLoopWrites.scanResults(CodedInputStream.newInstance(response.toByteArray()));
        assertArrayEquals(new long[]{5, 0, 1L << 40, 8, 6, 0}, scanned);
    }

    @Test
    void refusalsAreScannedToEachIdWithTheirSharedCode() throws Exception {
        BatchError overloaded = BatchError.newBuilder().setCode(8).setMessage("overloaded")
                .setDetails(ByteString.copyFromUtf8("details")).build();
        BatchResponse response = BatchResponse.newBuilder()
                .addResults(BatchResult.newBuilder().setId(5).setSet(SetResponse.getDefaultInstance()))
                .addRefusals(BatchRefusal.newBuilder().addIds(7).addIds(1L << 40).addIds(9).setError(overloaded))
                .addRefusals(BatchRefusal.newBuilder().addIds(11).setError(overloaded.toBuilder().setCode(4)))
                .build();
        long[] scanned = OpenLoopWrites.scanResults(CodedInputStream.newInstance(response.toByteArray()));
        assertArrayEquals(new long[]{5, 0, 7, 8, 1L << 40, 8, 9, 8, 11, 4}, scanned);
    }
}
