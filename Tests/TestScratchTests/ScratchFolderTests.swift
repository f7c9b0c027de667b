import Foundation
import Testing
@testable import TestScratch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ScratchFolder`: fresh folders in one per-process root, and a removal that opens
/// locked folders and never follows a link out of the tree.
@Suite struct ScratchFolderTests {
    @Test func foldersAreFreshEmptyAndShareOneRoot() throws {
        let first = try ScratchFolder.make("a"), second = try ScratchFolder.make("a")
        #expect(first != second)
        #expect(first.deletingLastPathComponent() == second.deletingLastPathComponent())
        #expect(first.deletingLastPathComponent().lastPathComponent.hasPrefix("swift-tests-\(getpid())-"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: first.path).isEmpty)
        #expect(first.lastPathComponent.hasPrefix("a-"))
    }

    @Test func removalEmptiesLockedFoldersAndLeavesLinkTargetsAlone() throws {
        let outside = try ScratchFolder.make("outside"), tree = try ScratchFolder.make("tree")
        let keep = outside.appendingPathComponent("keep.txt")
        try Data("keep".utf8).write(to: keep)
        let locked = tree.appendingPathComponent("locked/inner")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: locked.appendingPathComponent("file"))
        #expect(mkfifo(tree.appendingPathComponent("fifo").path, 0o600) == 0)
        #expect(symlink(keep.path, tree.appendingPathComponent("link-to-file").path) == 0)
        #expect(symlink(outside.path, tree.appendingPathComponent("link-to-folder").path) == 0)
        #expect(chmod(locked.path, 0) == 0)
        #expect(chmod(tree.appendingPathComponent("locked").path, 0) == 0)

        ScratchFolder.remove(tree.path)

        var info = stat()
        #expect(lstat(tree.path, &info) != 0, "the tree is gone")
        #expect(try Data(contentsOf: keep) == Data("keep".utf8), "a link's target is untouched")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == ["keep.txt"])
    }
}
