import CAnneal

// The version of the library actually loaded; the header's macros give the version compiled against.

@c @implementation
public func anneal_version_number() -> Int32 {
    ANNEAL_VERSION_NUMBER
}

@c @implementation
public func anneal_version_string() -> UnsafePointer<CChar>? {
    cString(versionText)
}

/// Kept equal to ANNEAL_VERSION_STRING (string macros do not reach Swift); a test checks it.
private let versionText: StaticString = "2.1.0"
