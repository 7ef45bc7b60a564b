package canary

import "errors"

// Sentinel errors. Every error from Judge and Analysis is a *VerdictError that
// wraps ErrFail or ErrInconclusive, and sometimes also the cause.
var (
	// ErrFail marks a canary judged significantly worse than its baseline.
	ErrFail = errors.New("canary: fail")
	// ErrInconclusive marks a judgement that could not be made: too few
	// samples, invalid samples or options, or samples that could not be
	// fetched. It is never a Pass.
	ErrInconclusive = errors.New("canary: inconclusive")
	// ErrInvalidInput marks input the caller got wrong: an option out of
	// range, a nil fetch function or context, or a NaN or ±Inf sample.
	// The error names the option or the sample.
	ErrInvalidInput = errors.New("canary: invalid input")
)

// VerdictError reports a judgement that is not Pass, with its Result. Inspect
// it with errors.As; errors.Is matches ErrFail or ErrInconclusive (from the
// verdict) and whatever Err wraps.
type VerdictError struct {
	Result Result
	Err    error // the cause when the input or the fetch was at fault; may be nil
}

// Error reads like "canary: fail: canary median +50%, beyond …".
func (e *VerdictError) Error() string {
	msg := "canary: " + e.Result.String()
	if e.Err != nil && e.Err.Error() != e.Result.Reason {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the verdict's sentinel and the cause, if any.
func (e *VerdictError) Unwrap() []error {
	s := ErrInconclusive
	if e.Result.Verdict == Fail {
		s = ErrFail
	}
	if e.Err == nil {
		return []error{s}
	}
	return []error{s, e.Err}
}
