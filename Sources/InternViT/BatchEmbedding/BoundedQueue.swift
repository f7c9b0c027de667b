import Foundation

/// A first-in first-out queue of at most `capacity` items between one producer thread and
/// one consumer: `put` waits while the queue is full, `take` while it is empty. This is
/// what bounds the memory of the decode stage whatever the number of inputs.
final class BoundedQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private var finished = false
    private var cancelled = false
    let capacity: Int

    init(capacity: Int) {
        precondition(capacity >= 1)
        self.capacity = capacity
    }

    /// Adds `item`, waiting for room; returns false (dropping the item) once cancelled.
    func put(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The next item, waiting for one; nil once the producer finished and the queue is empty.
    func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !finished && !cancelled { condition.wait() }
        guard head < items.count, !cancelled else { return nil }
        let item = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return item
    }

    /// The producer has no more items.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stops both sides: pending and future `put`s return false, `take` returns nil.
    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        head = 0
        condition.broadcast()
        condition.unlock()
    }

    /// Items waiting to be taken.
    var waitingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count - head
    }

    /// Whether `cancel` was called (the producer checks it between inputs).
    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }
}
