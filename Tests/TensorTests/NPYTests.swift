import Foundation
import Testing
import Tensor

/// `.npy` writing and reading: round trips and rejection of bad headers.
@Suite struct NPYTests {
    @Test func roundTripsEveryWritableType() throws {
        let f = Tensor<Float>.randomNormal([3, 5], seed: 1)
        #expect(try NPY.read(NPY.encode(f)).tensor(as: Float.self)?.scalars == f.scalars)
        let i = Tensor<Int32>([1, -2, 3], shape: [3, 1])
        let back = try NPY.read(NPY.encode(i))
        #expect(back.shape == [3, 1] && back.tensor(as: Int32.self)?.scalars == [1, -2, 3])
        let l = Tensor<Int64>([Int64.max, -1])
        #expect(try NPY.read(NPY.encode(l)).tensor(as: Int64.self)?.scalars == [Int64.max, -1])
        let b = Tensor<Bool>([true, false, true])
        #expect(try NPY.read(NPY.encode(b)).tensor(as: Bool.self)?.scalars == [true, false, true])
        let u = Tensor<UInt8>([0, 255])
        #expect(try NPY.read(NPY.encode(u)).tensor(as: UInt8.self)?.scalars == [0, 255])
        let h = Tensor<Half>([1.5, -0.25])
        #expect(try NPY.read(NPY.encode(h)).tensor(as: Half.self)?.scalars == [1.5, -0.25])
        let d = Tensor<Double>(scalar: 2.5)
        let scalar = try NPY.read(NPY.encode(d))
        #expect(scalar.shape == [] && scalar.tensor(as: Double.self)?.item == 2.5)
        let empty = Tensor<Float>.zeros([0, 4])
        #expect(try NPY.read(NPY.encode(empty)).shape == [0, 4])
    }

    /// numpy pads the header so data starts at a multiple of 64 bytes; we do the same.
    @Test func headerIsPaddedLikeNumpy() throws {
        let data = try NPY.encode(Tensor<Float>.zeros([2, 3]))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        #expect(data[10 + headerLength - 1] == 0x0A)
        #expect(String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
            .hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"))
    }

    static func npy(header: String, payload: [UInt8] = []) -> Data {
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let bytes = Array(header.utf8)
        data.append(contentsOf: [UInt8(bytes.count & 0xFF), UInt8(bytes.count >> 8)])
        data.append(contentsOf: bytes)
        data.append(contentsOf: payload)
        return data
    }

    @Test(arguments: [
        ("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", TensorIOError.Kind.unsupported),
        ("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", .unsupported),
        ("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", .unsupported),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", .truncated),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }", .inconsistent),
        ("{'descr': '<f4', 'fortran_order': False, }", .malformedHeader),
        ("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", .malformedHeader),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", .malformedHeader),
        ("not a dict at all", .malformedHeader),
    ])
    func badHeadersThrowTypedErrors(_ header: String, _ kind: TensorIOError.Kind) {
        let data = Self.npy(header: header, payload: [UInt8](repeating: 0, count: 8))
        #expect { try NPY.read(data, file: "bad.npy") } throws: { error in
            guard let error = error as? TensorIOError else { return false }
            return error.kind == kind && error.description.hasPrefix("bad.npy: ")
        }
    }

    @Test func truncationAtEveryByteThrows() throws {
        let data = try NPY.encode(Tensor<Float>.randomNormal([4, 4], seed: 2))
        for length in 0..<data.count {
            #expect(throws: TensorIOError.self) { try NPY.read(data.prefix(length)) }
        }
    }

    @Test func invalidBoolBytesAreRejected() {
        let data = Self.npy(header: "{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", payload: [1, 7])
        #expect(throws: TensorIOError.self) { try NPY.read(data) }
    }

    /// numpy's own files in format versions 1.0, 2.0 and 3.0, every supported dtype.
    @Test(arguments: ["f4", "f2", "f8", "i4", "i8", "u1", "b1", "scalar", "empty"])
    func readsNumpyFormatVersions(_ name: String) throws {
        let io = Fixtures.root.appendingPathComponent("io")
        let expected = try NPY.read(contentsOf: io.appendingPathComponent("npy_expected_\(name).npy"))
        for version in 1...3 {
            let array = try NPY.read(contentsOf: io.appendingPathComponent("npy_v\(version)_\(name).npy"))
            #expect(array.shape == expected.shape, "v\(version) \(name)")
            #expect(array.toFloat().scalars == expected.toFloat().scalars, "v\(version) \(name)")
        }
    }

    @Test func rejectsFortranOrderAndBigEndianFromNumpy() {
        let io = Fixtures.root.appendingPathComponent("io")
        for file in ["fortran.npy", "bigendian.npy"] {
            #expect { try NPY.read(contentsOf: io.appendingPathComponent(file)) } throws: {
                ($0 as? TensorIOError)?.kind == .unsupported
            }
        }
    }

    @Test func readsNumpyWrittenFixture() throws {
        // Every float fixture under Fixtures/core was written by numpy.save.
        let c = try #require(Fixtures.cases("matmul").first)
        #expect(try c.input(0).shape == [3, 4])
        #expect(try c.input(0).dtype == .float32)
    }
}
