// The oracle's public surface: Ref, Vector (a thin handle on the vector engine) and the wrappers.
#include "oracle/oracle.hpp"

#include <cmath>
#include <utility>

#include "oracle/engine.hpp"
#include "oracle/internal.hpp"

namespace softcheck::oracle {

bool Ref::is_nan() const { return std::isnan(rounded); }
bool Ref::is_finite() const { return std::isfinite(rounded); }

struct Vector::State {
  detail::Engine engine;
};

namespace {
// The engine of a Vector's state; a moved-from Vector gets a fresh State on its next use.
template <class State>
detail::Engine& engine(State*& s) {
  detail::widen_exponent_range();
  if (!s) s = new State;
  return s->engine;
}
}  // namespace

Vector::Vector() : s_(new State) {}
Vector::Vector(std::span<const double> x) : s_(new State) { s_->engine.assign(x); }
Vector::~Vector() { delete s_; }
Vector::Vector(Vector&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
Vector& Vector::operator=(Vector&& o) noexcept {
  if (this != &o) {
    delete s_;
    s_ = std::exchange(o.s_, nullptr);
  }
  return *this;
}

void Vector::assign(std::span<const double> x) {
  engine(s_).assign(x);
}
std::size_t Vector::size() const { return s_ ? s_->engine.size() : 0; }

Ref Vector::logsumexp() {
  return engine(s_).logsumexp();
}
void Vector::softmax(std::span<Ref> out) {
  engine(s_).softmax(out);
}
void Vector::log_softmax(std::span<Ref> out) {
  engine(s_).log_softmax(out);
}
Ref Vector::cross_entropy(std::size_t target, std::span<Ref> grad) {
  return engine(s_).cross_entropy(target, grad);
}
void Vector::softmax_vjp(std::span<const double> g, std::span<Ref> out) {
  engine(s_).softmax_vjp(g, out);
}
void Vector::log_softmax_vjp(std::span<const double> g, std::span<Ref> out) {
  engine(s_).log_softmax_vjp(g, out);
}
Ref Vector::cross_entropy(std::span<const double> target, std::span<Ref> grad) {
  return engine(s_).cross_entropy(target, grad);
}

Ref logsumexp(std::span<const double> x) { return Vector(x).logsumexp(); }

std::vector<Ref> softmax(std::span<const double> x) {
  std::vector<Ref> out(x.size());
  Vector(x).softmax(out);
  return out;
}

std::vector<Ref> log_softmax(std::span<const double> x) {
  std::vector<Ref> out(x.size());
  Vector(x).log_softmax(out);
  return out;
}

namespace internal {
namespace {
std::vector<Enclosure> enclosures(detail::Engine::Kind kind, std::span<const double> x, int level) {
  detail::widen_exponent_range();
  detail::Engine e;
  e.assign(x);
  std::vector<Enclosure> out(kind == detail::Engine::Kind::kLogsumexp ? 1 : x.size());
  for (std::size_t i = 0; i < out.size(); ++i) e.bounds(kind, i, level, out[i].lo, out[i].hi);
  return out;
}
}  // namespace

std::vector<Enclosure> softmax_enclosures(std::span<const double> x, int level) {
  return enclosures(detail::Engine::Kind::kSoftmax, x, level);
}
std::vector<Enclosure> log_softmax_enclosures(std::span<const double> x, int level) {
  return enclosures(detail::Engine::Kind::kLogSoftmax, x, level);
}
Enclosure logsumexp_enclosure(std::span<const double> x, int level) {
  return enclosures(detail::Engine::Kind::kLogsumexp, x, level).front();
}
}  // namespace internal

}  // namespace softcheck::oracle
