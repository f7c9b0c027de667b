import Foundation
import InternViTCLI
import Tensor
import Testing

/// `inspect` and `bench` print how the library was built and which kernels run; a debug
/// build says so once, on stderr, when it runs a model.
@Suite struct BuildInfoCommandTests {
    @Test func inspectPrintsTheKernelSelection() throws {
        let info = try BuildInfo.current()
        let (code, out, err) = run(["inspect", "--model", CLIFixtures.model])
        #expect(code == 0, "\(err)")
        #expect(out.contains("kernel selected: \(info.selectedKernel.rawValue)"), "\(out)")
        #expect(out.contains("kernels compiled in: " + info.kernelsCompiledIn.map(\.rawValue).joined(separator: ", ")))
        #expect(out.contains("build: \(info.isDebugBuild ? "debug" : "release")"))
        #expect(!err.contains("debug build"), "inspect runs no model")
    }

    @Test func aDebugBuildWarnsOnceWhenItRunsAModel() throws {
        let url = try CLIFixtures.temporary("features.npy")
        let (code, _, err) = run(["embed", CLIFixtures.image, CLIFixtures.image2, "--model", CLIFixtures.model,
                                  "--output", url.path])
        #expect(code == 0, "\(err)")
        let warnings = err.components(separatedBy: "warning: this is a debug build").count - 1
        #expect(warnings == (BuildInfo.isDebug ? 1 : 0), "\(err)")
        #expect(!withoutDebugWarning(err).contains("debug build"))
    }
}

/// `err` without the debug-build warning line, which a command that ran the model
/// prints first in a debug build (for tests that compare stderr exactly).
func withoutDebugWarning(_ err: String) -> String {
    err.split(separator: "\n", omittingEmptySubsequences: false)
        .filter { !$0.hasPrefix("internvit: warning: this is a debug build") }
        .joined(separator: "\n")
}
