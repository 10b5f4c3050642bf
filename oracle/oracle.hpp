// softcheck's oracle: the exact value of every function in impl/, known well enough to grade the last bit.
//
// Each reference evaluates the definitions of docs/definitions.md with Boost.Multiprecision on the MPFR
// backend, inputs taken exactly from doubles, and raises its working precision (Ziv's strategy) until the
// rounding of the exact value v to double is certain, up to kPrecisionCeiling bits.
// Independent of impl/ by design: no numerical code is shared, so one bug cannot hide in both.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace softcheck::oracle {

// Working precision ceiling (bits). A reference that cannot decide its rounding below it reports
// certain = false rather than guess.
inline constexpr int kPrecisionCeiling = 8192;

// One output component.
struct Ref {
  double rounded = 0;   // RN(v), ties to even; ±inf where |v| rounds beyond DBL_MAX (or v = ±inf);
                        // NaN where v is undefined; ±0 where v rounds to zero.
  double frac = 0;      // (v - rounded) / ulp(v), in [-0.5, 0.5] (ulp as in docs/definitions.md), to at least
                        // 2^-60 absolute before its own rounding to double; 0 where v is exact,
                        // infinite or NaN, or rounds to ±inf.
  bool exact = false;   // v == rounded (v exactly a double, or ±inf/NaN by the special-value rule)
  bool halfway = false; // v is exactly the midpoint of two adjacent doubles
  bool certain = true;  // false only if kPrecisionCeiling was hit (never expected; counted by reports)
  int precision = 0;    // the working precision (bits) that decided the rounding

  bool is_nan() const;
  bool is_finite() const;  // v is finite and rounds to a finite double
};

// Scalars.
Ref sigmoid(double x);
Ref log_sigmoid(double x);
// σ'(x) = σ(x) σ(-x), the exact derivative (backward pass, input form).
Ref sigmoid_derivative(double x);
// g y (1 - y), sigmoid's backward pass in framework form (y the forward's output, g the upstream
// gradient; any doubles). Exact product, one rounding. A non-finite y or g: the IEEE value of
// (g y)(1 - y) (an infinity of the product's sign, NaN for 0·∞ or a NaN).
Ref sigmoid_backward(double y, double g);
// The backward passes of softmax and log-softmax in framework form (y the forward's output, g the upstream
// gradient; any doubles, one length; out of that length): y_i (g_i - Σ_j g_j y_j) (exact, one rounding)
// and g_i - e^{y_i} Σ_j g_j (Ziv). Non-finite operands: the exact sum's infinity or NaN (NaN for a NaN,
// 0 · ∞ or infinities of both signs), then IEEE rules, e^{y_i} counted as positive for finite y_i.
void softmax_backward(std::span<const double> y, std::span<const double> g, std::span<Ref> out);
void log_softmax_backward(std::span<const double> y, std::span<const double> g, std::span<Ref> out);
// Binary cross-entropy with logits (t ∈ [0, 1]); the gradient σ(x) - t goes to *grad when not null.
Ref bce_with_logits(double x, double t, Ref* grad = nullptr);

// A vector x, evaluated once (one exponential per element at each working precision) and then asked for
// any of the vector functions. Reuse one object for many vectors: it keeps its buffers.
class Vector {
 public:
  Vector();
  explicit Vector(std::span<const double> x);
  ~Vector();
  Vector(Vector&&) noexcept;
  Vector& operator=(Vector&&) noexcept;

  void assign(std::span<const double> x);
  std::size_t size() const;

  Ref logsumexp();
  void softmax(std::span<Ref> out);       // out.size() == size()
  void log_softmax(std::span<Ref> out);   // out.size() == size()
  // Class-index cross-entropy; grad (when non-empty, of size()) receives softmax - e_k.
  Ref cross_entropy(std::size_t target, std::span<Ref> grad = {});
  // Distribution cross-entropy; grad (when non-empty) receives (Σt) softmax - t.
  Ref cross_entropy(std::span<const double> target, std::span<Ref> grad = {});
  // Log-softmax's backward pass in input form, g - softmax(x) Σ g (g any doubles, of size(); out of
  // size()). Special operands: the exact sum's infinity or NaN, then IEEE rules with p_i > 0 as positive.
  void log_softmax_vjp(std::span<const double> g, std::span<Ref> out);
  // Softmax's backward pass in input form, p ⊙ (g - ⟨g, p⟩), the same way.
  void softmax_vjp(std::span<const double> g, std::span<Ref> out);

 private:
  struct State;
  State* s_;
};

// Convenience wrappers around Vector.
Ref logsumexp(std::span<const double> x);
std::vector<Ref> softmax(std::span<const double> x);
std::vector<Ref> log_softmax(std::span<const double> x);

}  // namespace softcheck::oracle
