import Tensor

/// Elementwise arithmetic with numpy broadcasting, and scalar scaling.
extension Variable {
    /// `a + b` with broadcasting; each gradient is summed back to its input's shape.
    public static func + (a: Variable, b: Variable) -> Variable {
        Variable(a.value + b.value, inputs: [a, b]) { g in
            [reduced(g, toShape: a.shape), reduced(g, toShape: b.shape)]
        }
    }

    /// `a − b` with broadcasting.
    public static func - (a: Variable, b: Variable) -> Variable {
        Variable(a.value - b.value, inputs: [a, b]) { g in
            [reduced(g, toShape: a.shape), reduced(-g, toShape: b.shape)]
        }
    }

    /// `a ⊙ b` with broadcasting: d/da = g ⊙ b, d/db = g ⊙ a.
    public static func * (a: Variable, b: Variable) -> Variable {
        Variable(a.value * b.value, inputs: [a, b]) { g in
            [reduced(g * b.value, toShape: a.shape), reduced(g * a.value, toShape: b.shape)]
        }
    }

    /// `a · s` for a constant `s`.
    public static func * (a: Variable, s: Float) -> Variable {
        Variable(a.value * s, inputs: [a]) { g in [g * s] }
    }
}
