package canary

import "testing"

// The names that reasons print for a Direction and a Measure.
func TestNames(t *testing.T) {
	for d, s := range map[Direction]string{HigherIsBad: "higher is bad", LowerIsBad: "lower is bad",
		EitherIsBad: "either is bad", Direction(0): "Direction(0)"} {
		if d.name() != s {
			t.Errorf("%d.name() = %q", int(d), d.name())
		}
	}
	for m, s := range map[Measure]string{MedianChange: "median", MeanChange: "mean", Measure(5): "Measure(5)"} {
		if m.name() != s {
			t.Errorf("%d.name() = %q", int(m), m.name())
		}
	}
}
