import Foundation
@testable import InternViT
import Testing

@Suite struct BoundedQueueTests {
    /// A producer thread that puts more items than the capacity: the consumer sees every
    /// item once, in order, and the producer never had more than `capacity` waiting.
    @Test func itemsArriveInOrderAndTheProducerWaitsForRoom() {
        let queue = BoundedQueue<Int>(capacity: 2)
        let producerDone = DispatchSemaphore(value: 0)
        Thread {
            for i in 0..<50 { _ = queue.put(i) }
            queue.finish()
            producerDone.signal()
        }.start()
        var seen: [Int] = []
        while let item = queue.take() {
            #expect(queue.waitingCount <= 2)
            seen.append(item)
        }
        producerDone.wait()
        #expect(seen == Array(0..<50))
    }

    /// Cancelling wakes a producer blocked on a full queue and a consumer on an empty one.
    @Test func cancelReleasesBothSides() {
        let full = BoundedQueue<Int>(capacity: 1)
        #expect(full.put(1))
        let released = DispatchSemaphore(value: 0)
        let result = ResultBox()
        Thread {
            result.value = full.put(2)           // blocks: the queue is full
            released.signal()
        }.start()
        full.cancel()
        released.wait()
        #expect(result.value == false)
        #expect(full.take() == nil)
    }
}

final class ResultBox: @unchecked Sendable {
    var value: Bool?
}
