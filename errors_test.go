package payments_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gopayments/payments"
)

var allCodes = []struct {
	code      payments.Code
	sentinel  error
	retryable bool
	cascade   bool
}{
	{payments.InvalidRequest, payments.ErrInvalidRequest, false, false},
	{payments.Authentication, payments.ErrAuthentication, false, true},
	{payments.Declined, payments.ErrDeclined, false, false}, // no Decline: treated as hard
	{payments.Duplicate, payments.ErrDuplicate, false, false},
	{payments.NotFound, payments.ErrNotFound, false, false},
	{payments.InvalidState, payments.ErrInvalidState, false, false},
	{payments.Unsupported, payments.ErrUnsupported, false, true},
	{payments.RateLimited, payments.ErrRateLimited, true, true},
	{payments.Unavailable, payments.ErrUnavailable, true, true},
	{payments.OutcomeUnknown, payments.ErrOutcomeUnknown, false, false},
	{payments.Unverified, payments.ErrUnverified, false, false},
	{payments.Integrity, payments.ErrIntegrity, false, false},
}

func TestErrorIsEveryCode(t *testing.T) {
	for _, tt := range allCodes {
		err := fmt.Errorf("charging order 7: %w", &payments.Error{Code: tt.code, Provider: "x"})
		for _, other := range allCodes {
			assert.Equal(t, other.code == tt.code, errors.Is(err, other.sentinel), "%s is %s", tt.code, other.code)
		}
		assert.Equal(t, tt.retryable, payments.Retryable(err), "Retryable(%s)", tt.code)
		assert.Equal(t, tt.cascade, payments.CanCascade(err), "CanCascade(%s)", tt.code)
		assert.Equal(t, tt.code, payments.CodeOf(err))
		// A sentinel is itself an error of its class.
		assert.ErrorIs(t, tt.sentinel, tt.code)
	}
	assert.False(t, payments.Retryable(nil))
	assert.False(t, payments.CanCascade(errors.New("plain")))
	assert.Equal(t, payments.Code(""), payments.CodeOf(nil))
}

func TestDeclineCascade(t *testing.T) {
	tests := []struct {
		reason payments.DeclineReason
		soft   bool
	}{
		{payments.DeclineInsufficientFunds, false},
		{payments.DeclineDoNotHonour, true},
		{payments.DeclineSuspectedFraud, false},
		{payments.DeclineExpiredCard, false},
		{payments.DeclineInvalidCard, false},
		{payments.DeclineAuthenticationFailed, false},
		{payments.DeclineLimitExceeded, false},
		{payments.DeclineGeneric, true},
	}
	for _, tt := range tests {
		err := &payments.Error{Code: payments.Declined, Decline: &payments.Decline{Reason: tt.reason}}
		assert.Equal(t, tt.soft, tt.reason.Soft(), tt.reason)
		assert.Equal(t, tt.soft, payments.CanCascade(err), tt.reason)
		assert.False(t, payments.Retryable(err), tt.reason)
		assert.ErrorIs(t, err, payments.ErrDeclined)
	}
}

func TestErrorMessage(t *testing.T) {
	cause := errors.New("connection reset")
	err := &payments.Error{
		Code: payments.Declined, Provider: "smart2pay", ProviderCode: "119", HTTPStatus: 400, RequestID: "abc",
		Message: "customer balance insufficient", Decline: &payments.Decline{Reason: payments.DeclineInsufficientFunds},
		Err: cause,
	}
	assert.Equal(t, "payments: smart2pay: declined (insufficient_funds): customer balance insufficient [provider code 119, HTTP 400, request abc]: connection reset", err.Error())
	assert.ErrorIs(t, err, cause)

	f := payments.InvalidField("customer.email", "required by smartpayments")
	assert.Equal(t, "payments: invalid_request: customer.email: required by smartpayments", f.Error())
	assert.Equal(t, "customer.email", f.Field)

	// A card number a provider echoes back is masked in the message.
	leaky := &payments.Error{Code: payments.InvalidRequest, Message: "card 4012000000003010 rejected"}
	assert.Equal(t, "payments: invalid_request: card 401200******3010 rejected", leaky.Error())

	var target *payments.Error
	assert.True(t, errors.As(fmt.Errorf("wrapped: %w", err), &target))
	assert.Equal(t, "119", target.ProviderCode)
	assert.True(t, errors.Is(err, &payments.Error{Code: payments.Declined}))
}
