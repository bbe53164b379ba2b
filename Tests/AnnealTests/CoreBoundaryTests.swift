import Foundation
import Testing

/// The core is pure Swift: `Kernels.swift` is its one door to the C kernels, and its public (and package) API
/// takes and returns no pointers (the C library, AnnealExport, adapts them).
@Suite("The core's boundary")
struct CoreBoundaryTests {
    /// Each Swift file of `Sources/Anneal`, by its path from there, with its lines.
    static func sources() throws -> [(path: String, lines: [Substring])] {
        let root = Support.packageRoot.appendingPathComponent("Sources/Anneal")
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        return try files.filter { $0.hasSuffix(".swift") }.sorted().map { path in
            let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            return (path, text.split(separator: "\n", omittingEmptySubsequences: false))
        }
    }

    @Test("only Kernels.swift imports or calls the C kernels")
    func oneDoor() throws {
        let sources = try Self.sources()
        #expect(sources.count > 20)
        for (path, lines) in sources where path != "Kernels.swift" {
            for (number, line) in lines.enumerated() {
                let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                #expect(!code.contains("import AnnealKernels") && !code.contains("anneal_kernels")
                            && !code.contains("ANNEAL_KERNELS"),
                        "\(path):\(number + 1) reaches the C kernels: \(line)")
            }
        }
    }

    @Test("no public or package declaration takes or returns a pointer")
    func pointerFreeAPI() throws {
        for (path, lines) in try Self.sources() {
            for (number, line) in lines.enumerated() {
                let trimmed = line.drop { $0 == " " }
                guard !trimmed.hasPrefix("//"), trimmed.hasPrefix("public ") || trimmed.hasPrefix("package ")
                        || trimmed.hasPrefix("@discardableResult public ") else { continue }
                // The declaration runs to its body's brace (or its line, for a stored property).
                var declaration = String(line)
                var next = number + 1
                while !declaration.contains("{"), declaration.contains("("), next < lines.count {
                    declaration += lines[next]
                    next += 1
                }
                let head = declaration.split(separator: "{", maxSplits: 1).first ?? ""
                #expect(!head.contains("Unsafe") && !head.contains("OpaquePointer"),
                        "\(path):\(number + 1) is public API with a pointer: \(head)")
            }
        }
    }
}
