//! A zero-knowledge proof of dot product of logarithmic size (zkpsm's patch: see PATCHES.md).
//!
//! The statement is the one [`InnerProductArgumentLinear`](super::ipa::InnerProductArgumentLinear)
//! proves: `C_a = <a, G> + r_a·H` commits to a vector `a`, `C_c = c·g_c + r_c·h_c` commits to a
//! scalar `c` under the evaluation key's generators, and `c = <a, b>` for a public `b`. Where the
//! linear argument sends `n` scalars, this one sends `2·log2(n)` group elements and a constant part:
//!
//! 1. **Moving `c` to an independent generator.** `g_c` is drawn from the same label stream as
//!    `G`, so `C_a + C_c` cannot be folded directly. The prover commits `C_u = c·U + r_u·H`, with
//!    `U` a generator of its own label, and proves that `C_c` and `C_u` open to the same `c` with
//!    the Σ-protocol for equality of committed values (Camenisch–Stadler): `T_1 = t·g_c + s_1·h_c`,
//!    `T_2 = t·U + s_2·H`, challenge `e`, answers `z = t + e·c`, `z_1 = s_1 + e·r_c`,
//!    `z_2 = s_2 + e·r_u`.
//! 2. **Bulletproofs' inner-product reduction** (Bünz et al., S&P 2018, §3), blinded as in the
//!    Hyrax paper's log-size proof of dot product (Wahby et al., S&P 2018, Appendix A):
//!    `Γ = C_a + C_u = <a, G> + <a, b>·U + (r_a + r_u)·H`. Each round halves `a`, `b` and `G`,
//!    sending `L = <a_L, G_R> + <a_L, b_R>·U + β_L·H` and `R = <a_R, G_L> + <a_R, b_L>·U + β_R·H`;
//!    with the challenge `x`, `a' = x·a_L + x⁻¹·a_R`, `b' = x⁻¹·b_L + x·b_R`,
//!    `G' = x⁻¹·G_L + x·G_R` and `Γ' = Γ + x²·L + x⁻²·R`.
//! 3. **The last step in zero knowledge.** With one element left, `Γ̂ = â·(ĝ + b̂·U) + r̂·H`. The
//!    prover shows it knows `â` and `r̂` by Schnorr's proof of a representation: `A = d·(ĝ + b̂·U) +
//!    s·H`, challenge `c'`, answers `z_a = d + c'·â`, `z_r = s + c'·r̂`, checked as
//!    `c'·Γ̂ + A = z_a·(ĝ + b̂·U) + z_r·H`.
//!
//! The verifier never folds `G`: `ĝ = <s, G>` and `b̂ = <s, b>` for the vector `s` of products of
//! the round challenges, so its last check is one multi-scalar multiplication of size
//! `n + 2·log2(n) + 4`.
use crate::{
  errors::SpartanError,
  provider::{
    pcs::ipa::{InnerProductInstance, InnerProductWitness, inner_product},
    traits::{DlogGroup, DlogGroupExt},
  },
  traits::{Engine, transcript::TranscriptEngineTrait},
};
use ff::Field;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// A zero-knowledge proof of dot product with `2·log2(n)` group elements for vectors of length `n`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct InnerProductArgumentLog<E: Engine>
where
  E::GE: DlogGroupExt,
{
  /// `C_u = c·U + r_u·H`: the claimed product under the independent generator `U`.
  pub(crate) comm_c_u: E::GE,
  /// `T_1 = t·g_c + s_1·h_c` of the equality proof.
  pub(crate) eq_t1: E::GE,
  /// `T_2 = t·U + s_2·H` of the equality proof.
  pub(crate) eq_t2: E::GE,
  /// `z = t + e·c`.
  pub(crate) eq_z: E::Scalar,
  /// `z_1 = s_1 + e·r_c`.
  pub(crate) eq_z1: E::Scalar,
  /// `z_2 = s_2 + e·r_u`.
  pub(crate) eq_z2: E::Scalar,
  /// The reduction's `L` of each round.
  pub(crate) L_vec: Vec<E::GE>,
  /// The reduction's `R` of each round.
  pub(crate) R_vec: Vec<E::GE>,
  /// `A = d·(ĝ + b̂·U) + s·H` of the last step.
  pub(crate) fin_a: E::GE,
  /// `z_a = d + c'·â`.
  pub(crate) fin_z_a: E::Scalar,
  /// `z_r = s + c'·r̂`.
  pub(crate) fin_z_r: E::Scalar,
}

/// The generators an argument is made over.
pub struct DotProductGens<'a, E: Engine>
where
  E::GE: DlogGroupExt,
{
  /// `G`: the vector's generators (at least `n`).
  pub ck: &'a [<E::GE as DlogGroup>::AffineGroupElement],
  /// `H`: the vector commitment's blinding generator.
  pub h: &'a E::GE,
  /// `U`: the independent generator the product is moved to.
  pub u: &'a E::GE,
  /// `g_c`: the product commitment's generator.
  pub ck_c: &'a <E::GE as DlogGroup>::AffineGroupElement,
  /// `h_c`: the product commitment's blinding generator.
  pub h_c: &'a E::GE,
}

/// The challenges' products: `s[i]` multiplies generator `i` in `ĝ = <s, G>`. Round `k` (first is
/// 0) splits on bit `rounds - 1 - k` of `i`: `x_k⁻¹` in the low half, `x_k` in the high half.
fn challenge_products<F: Field>(x: &[F], x_inv: &[F]) -> Vec<F> {
  let mut s = vec![F::ONE];
  for (x, x_inv) in x.iter().zip(x_inv) {
    s = s.iter().flat_map(|v| [*v * x_inv, *v * x]).collect();
  }
  s
}

impl<E: Engine> InnerProductArgumentLog<E>
where
  E::GE: DlogGroupExt,
{
  fn protocol_name() -> &'static [u8] {
    b"inner product argument (log)"
  }

  /// Proves `c = <a, b>` for the commitments of `U` (see the module's documentation).
  pub fn prove(
    gens: &DotProductGens<'_, E>,
    U: &InnerProductInstance<E>,
    W: &InnerProductWitness<E>,
    transcript: &mut E::TE,
  ) -> Result<Self, SpartanError> {
    let n = U.b_vec.len();
    if !n.is_power_of_two() || W.a_vec.len() != n || gens.ck.len() < n {
      return Err(SpartanError::InvalidInputLength {
        reason: format!(
          "log inner product argument: vectors of {} and {} elements, {} generators",
          W.a_vec.len(),
          n,
          gens.ck.len()
        ),
      });
    }
    transcript.dom_sep(Self::protocol_name());
    transcript.absorb(b"U", U);
    let mut rng = rand::thread_rng();
    let h = *gens.h;
    let u = *gens.u;
    let g_c = E::GE::group(gens.ck_c);

    // 1. The product under U, and the proof that it is the one C_c commits to.
    let c = inner_product(&W.a_vec, &U.b_vec);
    let r_u = E::Scalar::random(&mut rng);
    let comm_c_u = u * c + h * r_u;
    let (t, s_1, s_2) = (
      E::Scalar::random(&mut rng),
      E::Scalar::random(&mut rng),
      E::Scalar::random(&mut rng),
    );
    let eq_t1 = g_c * t + *gens.h_c * s_1;
    let eq_t2 = u * t + h * s_2;
    transcript.absorb(b"C_u", &comm_c_u);
    transcript.absorb(b"T_1", &eq_t1);
    transcript.absorb(b"T_2", &eq_t2);
    let e = transcript.squeeze(b"e")?;
    let eq_z = t + e * c;
    let eq_z1 = s_1 + e * W.r_c;
    let eq_z2 = s_2 + e * r_u;

    // 2. The reduction, over Γ = C_a + C_u with blind r_a + r_u. The generators are kept as
    // `G = λ·Ĝ`: folding `Ĝ' = Ĝ_L + x²·Ĝ_R`, `λ' = λ·x⁻¹` gives the same `G' = x⁻¹·G_L + x·G_R`
    // with one scalar multiplication per element instead of two, and `λ` joins the MSMs'
    // scalars.
    let mut a = W.a_vec.clone();
    let mut b = U.b_vec.clone();
    let mut g = gens.ck[..n].to_vec();
    let mut lambda = E::Scalar::ONE;
    let mut blind = W.r_a + r_u;
    let uh = E::GE::batch_affine(&[u, h]);
    let (mut L_vec, mut R_vec) = (Vec::new(), Vec::new());
    while a.len() > 1 {
      let half = a.len() / 2;
      let (a_L, a_R) = a.split_at(half);
      let (b_L, b_R) = b.split_at(half);
      let (g_L, g_R) = g.split_at(half);
      let c_L = inner_product(a_L, b_R);
      let c_R = inner_product(a_R, b_L);
      let (blind_L, blind_R) = (E::Scalar::random(&mut rng), E::Scalar::random(&mut rng));
      let msm = |scalars: &[E::Scalar],
                 bases: &[<E::GE as DlogGroup>::AffineGroupElement],
                 extra: [E::Scalar; 2]| {
        let scalars: Vec<E::Scalar> = scalars.iter().map(|s| *s * lambda).chain(extra).collect();
        let bases = [bases, &uh].concat();
        E::GE::vartime_multiscalar_mul(&scalars, &bases, true)
      };
      let L = msm(a_L, g_R, [c_L, blind_L])?;
      let R = msm(a_R, g_L, [c_R, blind_R])?;
      transcript.absorb(b"L", &L);
      transcript.absorb(b"R", &R);
      let x = transcript.squeeze(b"x")?;
      let x_inv = Option::<E::Scalar>::from(x.invert()).ok_or(SpartanError::InvalidPCS {
        reason: "log inner product argument: a zero challenge".to_string(),
      })?;
      let x_sq = x.square();
      let folded_g: Vec<E::GE> = (0..half)
        .into_par_iter()
        .map(|i| E::GE::group(&g_L[i]) + E::GE::group(&g_R[i]) * x_sq)
        .collect();
      a = (0..half).map(|i| a_L[i] * x + a_R[i] * x_inv).collect();
      b = (0..half).map(|i| b_L[i] * x_inv + b_R[i] * x).collect();
      g = E::GE::batch_affine(&folded_g);
      lambda *= x_inv;
      blind += blind_L * x_sq + blind_R * x_inv.square();
      L_vec.push(L);
      R_vec.push(R);
    }

    // 3. Schnorr's proof of the representation Γ̂ = â·(ĝ + b̂·U) + r̂·H.
    let base = E::GE::group(&g[0]) * lambda + u * b[0];
    let (d, s) = (E::Scalar::random(&mut rng), E::Scalar::random(&mut rng));
    let fin_a = base * d + h * s;
    transcript.absorb(b"A", &fin_a);
    let c_fin = transcript.squeeze(b"c")?;
    Ok(Self {
      comm_c_u,
      eq_t1,
      eq_t2,
      eq_z,
      eq_z1,
      eq_z2,
      L_vec,
      R_vec,
      fin_a,
      fin_z_a: d + c_fin * a[0],
      fin_z_r: s + c_fin * blind,
    })
  }

  /// Verifies the argument for vectors of length `n` (a power of two).
  pub fn verify(
    &self,
    gens: &DotProductGens<'_, E>,
    n: usize,
    U: &InnerProductInstance<E>,
    transcript: &mut E::TE,
  ) -> Result<(), SpartanError> {
    let last = self.verify_deferred(gens, n, U, transcript)?;
    if !LastEquation::hold_together(gens.ck, &[(E::Scalar::ONE, &last)])? {
      return Err(SpartanError::InvalidPCS {
        reason: "log inner product argument: the last equation failed".to_string(),
      });
    }
    Ok(())
  }

  /// Runs every check but the last equation, and returns that equation for the caller to check,
  /// alone or combined with others' (a batch).
  pub fn verify_deferred(
    &self,
    gens: &DotProductGens<'_, E>,
    n: usize,
    U: &InnerProductInstance<E>,
    transcript: &mut E::TE,
  ) -> Result<LastEquation<E>, SpartanError> {
    let rounds = n.trailing_zeros() as usize;
    if !n.is_power_of_two()
      || U.b_vec.len() != n
      || gens.ck.len() < n
      || self.L_vec.len() != rounds
      || self.R_vec.len() != rounds
    {
      return Err(SpartanError::InvalidInputLength {
        reason: format!(
          "log inner product argument verify: {} and {} round messages for n = {n} ({} public \
           elements, {} generators)",
          self.L_vec.len(),
          self.R_vec.len(),
          U.b_vec.len(),
          gens.ck.len()
        ),
      });
    }
    transcript.dom_sep(Self::protocol_name());
    transcript.absorb(b"U", U);
    let h = *gens.h;
    let u = *gens.u;

    // 1. C_c and C_u commit to the same product.
    transcript.absorb(b"C_u", &self.comm_c_u);
    transcript.absorb(b"T_1", &self.eq_t1);
    transcript.absorb(b"T_2", &self.eq_t2);
    let e = transcript.squeeze(b"e")?;
    if self.eq_t1 + U.comm_c * e != E::GE::group(gens.ck_c) * self.eq_z + *gens.h_c * self.eq_z1 {
      return Err(SpartanError::InvalidPCS {
        reason: "log inner product argument: the product's commitments differ (first equation)"
          .to_string(),
      });
    }
    if self.eq_t2 + self.comm_c_u * e != u * self.eq_z + h * self.eq_z2 {
      return Err(SpartanError::InvalidPCS {
        reason: "log inner product argument: the product's commitments differ (second equation)"
          .to_string(),
      });
    }

    // 2. The round challenges.
    let mut x = Vec::with_capacity(rounds);
    for (L, R) in self.L_vec.iter().zip(&self.R_vec) {
      transcript.absorb(b"L", L);
      transcript.absorb(b"R", R);
      x.push(transcript.squeeze(b"x")?);
    }
    let x_inv: Vec<E::Scalar> = x
      .iter()
      .map(|x| Option::<E::Scalar>::from(x.invert()))
      .collect::<Option<_>>()
      .ok_or(SpartanError::InvalidPCS {
        reason: "log inner product argument: a zero challenge".to_string(),
      })?;
    let s = challenge_products(&x, &x_inv);
    let b_hat = inner_product(&s, &U.b_vec);

    // 3. c'·Γ̂ + A = z_a·(ĝ + b̂·U) + z_r·H, with Γ̂ = C_a + C_u + Σ x²·L + x⁻²·R, as one
    // multi-scalar multiplication that must vanish.
    transcript.absorb(b"A", &self.fin_a);
    let c_fin = transcript.squeeze(b"c")?;
    let shared: Vec<E::Scalar> = s.par_iter().map(|s| *s * self.fin_z_a).collect();
    let mut points = vec![u, h, U.comm_a_vec, self.comm_c_u, self.fin_a];
    let mut scalars = vec![
      self.fin_z_a * b_hat,
      self.fin_z_r,
      -c_fin,
      -c_fin,
      -E::Scalar::ONE,
    ];
    for (((L, R), x), x_inv) in self.L_vec.iter().zip(&self.R_vec).zip(&x).zip(&x_inv) {
      points.extend([*L, *R]);
      scalars.extend([-c_fin * x.square(), -c_fin * x_inv.square()]);
    }
    Ok(LastEquation {
      shared,
      points,
      scalars,
    })
  }
}

/// The argument's last equation, `<shared, G> + <scalars, points> = 0` over the generators `G`
/// it was verified with: what [`InnerProductArgumentLog::verify_deferred`] leaves to check.
#[derive(Clone, Debug)]
pub struct LastEquation<E: Engine> {
  /// The scalars of the shared generators `G` (as many as the vector's length).
  pub shared: Vec<E::Scalar>,
  /// The equation's other points, the proof's and the instance's.
  pub points: Vec<E::GE>,
  /// Their scalars.
  pub scalars: Vec<E::Scalar>,
}

impl<E: Engine> LastEquation<E>
where
  E::GE: DlogGroupExt,
{
  /// Whether `Σ weight·equation = 0` over the generators `ck`, as one multi-scalar
  /// multiplication over the shared generators and every equation's own points. An equation over
  /// more generators than `ck` holds, or with unpaired points and scalars, is an error.
  pub fn hold_together(
    ck: &[<E::GE as DlogGroup>::AffineGroupElement],
    equations: &[(E::Scalar, &Self)],
  ) -> Result<bool, SpartanError> {
    let n = equations
      .iter()
      .map(|(_, e)| e.shared.len())
      .max()
      .unwrap_or(0);
    if n > ck.len()
      || equations
        .iter()
        .any(|(_, e)| e.points.len() != e.scalars.len())
    {
      return Err(SpartanError::InvalidPCS {
        reason: format!(
          "last equations over {n} generators, or with unpaired points, for {} generators",
          ck.len()
        ),
      });
    }
    let mut shared = vec![E::Scalar::ZERO; n];
    let mut points = Vec::new();
    let mut scalars = Vec::new();
    for (weight, equation) in equations {
      for (total, s) in shared.iter_mut().zip(&equation.shared) {
        *total += *weight * s;
      }
      points.extend_from_slice(&equation.points);
      scalars.extend(equation.scalars.iter().map(|s| *weight * s));
    }
    let bases = [&ck[..n], &E::GE::batch_affine(&points)[..]].concat();
    let scalars = [shared, scalars].concat();
    Ok(E::GE::vartime_multiscalar_mul(&scalars, &bases, true)? == E::GE::zero())
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::{
    provider::{PallasHyraxEngine, pcs::ipa::InnerProductArgumentLinear},
    traits::transcript::TranscriptEngineTrait,
  };

  type E = PallasHyraxEngine;
  type F = <E as Engine>::Scalar;
  type G = <E as Engine>::GE;
  type Affine = <G as DlogGroup>::AffineGroupElement;

  /// Generators for vectors of up to 64 elements, from labels of their own.
  struct Fixture {
    ck: Vec<Affine>,
    h: G,
    u: G,
    ck_c: Affine,
    h_c: G,
  }

  impl Fixture {
    fn new() -> Self {
      let gens = G::from_label(b"ipa log test G", 65);
      let eval = G::from_label(b"ipa log test eval", 2);
      Self {
        ck: gens[..64].to_vec(),
        h: G::group(&gens[64]),
        u: G::group(&G::from_label(b"ipa log test U", 1)[0]),
        ck_c: eval[0],
        h_c: G::group(&eval[1]),
      }
    }

    fn gens(&self) -> DotProductGens<'_, E> {
      DotProductGens {
        ck: &self.ck,
        h: &self.h,
        u: &self.u,
        ck_c: &self.ck_c,
        h_c: &self.h_c,
      }
    }

    /// A random statement `c = <a, b>` of length `n`, with its witness.
    fn statement(&self, n: usize) -> (InnerProductInstance<E>, InnerProductWitness<E>) {
      let mut rng = rand::thread_rng();
      let a: Vec<F> = (0..n).map(|_| F::random(&mut rng)).collect();
      let b: Vec<F> = (0..n).map(|_| F::random(&mut rng)).collect();
      let (r_a, r_c) = (F::random(&mut rng), F::random(&mut rng));
      self.statement_for(&a, &b, r_a, r_c, inner_product(&a, &b))
    }

    fn statement_for(
      &self,
      a: &[F],
      b: &[F],
      r_a: F,
      r_c: F,
      c: F,
    ) -> (InnerProductInstance<E>, InnerProductWitness<E>) {
      let comm_a = G::vartime_multiscalar_mul(a, &self.ck[..a.len()], true).unwrap() + self.h * r_a;
      let comm_c = G::group(&self.ck_c) * c + self.h_c * r_c;
      (
        InnerProductInstance::new(&comm_a, b, &comm_c),
        InnerProductWitness::new(a, &r_a, &r_c),
      )
    }
  }

  fn transcript() -> <E as Engine>::TE {
    <E as Engine>::TE::new(b"ipa log test")
  }

  fn prove(
    fx: &Fixture,
    U: &InnerProductInstance<E>,
    W: &InnerProductWitness<E>,
  ) -> InnerProductArgumentLog<E> {
    InnerProductArgumentLog::prove(&fx.gens(), U, W, &mut transcript()).unwrap()
  }

  fn verify(
    fx: &Fixture,
    arg: &InnerProductArgumentLog<E>,
    U: &InnerProductInstance<E>,
  ) -> Result<(), SpartanError> {
    arg.verify(&fx.gens(), U.b_vec.len(), U, &mut transcript())
  }

  #[test]
  fn honest_proofs_verify_for_every_length() {
    let fx = Fixture::new();
    for n in [1, 2, 4, 8, 64] {
      let (U, W) = fx.statement(n);
      let arg = prove(&fx, &U, &W);
      assert_eq!(arg.L_vec.len(), n.trailing_zeros() as usize);
      verify(&fx, &arg, &U).unwrap_or_else(|e| panic!("n = {n}: {e:?}"));
    }
  }

  #[test]
  fn the_challenge_products_fold_the_generators() {
    // <s, G> must equal G folded round by round, as the prover folds it.
    let mut rng = rand::thread_rng();
    let x: Vec<F> = (0..3).map(|_| F::random(&mut rng)).collect();
    let x_inv: Vec<F> = x.iter().map(|x| x.invert().unwrap()).collect();
    let v: Vec<F> = (0..8).map(|_| F::random(&mut rng)).collect();
    let mut folded = v.clone();
    for (x, x_inv) in x.iter().zip(&x_inv) {
      let half = folded.len() / 2;
      folded = (0..half)
        .map(|i| folded[i] * x_inv + folded[half + i] * x)
        .collect();
    }
    assert_eq!(
      inner_product(&challenge_products(&x, &x_inv), &v),
      folded[0]
    );
  }

  #[test]
  fn every_message_is_bound() {
    let fx = Fixture::new();
    let (U, W) = fx.statement(8);
    let honest = prove(&fx, &U, &W);
    let bump_g = |p: &mut G| *p += fx.h;
    let bump_f = |s: &mut F| *s += F::ONE;
    let mut tampered: Vec<(String, InnerProductArgumentLog<E>)> = Vec::new();
    let mut push = |name: &str, f: &dyn Fn(&mut InnerProductArgumentLog<E>)| {
      let mut arg = honest.clone();
      f(&mut arg);
      tampered.push((name.to_string(), arg));
    };
    push("C_u", &|a| bump_g(&mut a.comm_c_u));
    push("T_1", &|a| bump_g(&mut a.eq_t1));
    push("T_2", &|a| bump_g(&mut a.eq_t2));
    push("z", &|a| bump_f(&mut a.eq_z));
    push("z_1", &|a| bump_f(&mut a.eq_z1));
    push("z_2", &|a| bump_f(&mut a.eq_z2));
    push("A", &|a| bump_g(&mut a.fin_a));
    push("z_a", &|a| bump_f(&mut a.fin_z_a));
    push("z_r", &|a| bump_f(&mut a.fin_z_r));
    for i in 0..3 {
      push(&format!("L[{i}]"), &|a| bump_g(&mut a.L_vec[i]));
      push(&format!("R[{i}]"), &|a| bump_g(&mut a.R_vec[i]));
    }
    push("L and R swapped", &|a| {
      std::mem::swap(&mut a.L_vec, &mut a.R_vec)
    });
    push("two rounds swapped", &|a| {
      a.L_vec.swap(0, 1);
      a.R_vec.swap(0, 1);
    });
    assert_eq!(tampered.len(), 17);
    for (name, arg) in tampered {
      assert!(verify(&fx, &arg, &U).is_err(), "a tampered {name} verified");
    }
  }

  #[test]
  fn a_wrong_round_count_is_an_error_not_a_panic() {
    let fx = Fixture::new();
    let (U, W) = fx.statement(8);
    let honest = prove(&fx, &U, &W);
    let mut dropped = honest.clone();
    dropped.L_vec.pop();
    dropped.R_vec.pop();
    assert!(matches!(
      verify(&fx, &dropped, &U),
      Err(SpartanError::InvalidInputLength { .. })
    ));
    let mut uneven = honest.clone();
    uneven.R_vec.pop();
    assert!(verify(&fx, &uneven, &U).is_err());
    let mut extra = honest;
    extra.L_vec.push(fx.h);
    extra.R_vec.push(fx.h);
    assert!(verify(&fx, &extra, &U).is_err());
    // A length that is not a power of two, and more elements than generators.
    assert!(
      InnerProductArgumentLog::prove(
        &fx.gens(),
        &fx.statement(6).0,
        &fx.statement(6).1,
        &mut transcript()
      )
      .is_err()
    );
    let (U, W) = fx.statement(8);
    let short = DotProductGens {
      ck: &fx.ck[..4],
      ..fx.gens()
    };
    assert!(InnerProductArgumentLog::prove(&short, &U, &W, &mut transcript()).is_err());
  }

  #[test]
  fn a_false_statement_is_refused() {
    let fx = Fixture::new();
    let mut rng = rand::thread_rng();
    let a: Vec<F> = (0..8).map(|_| F::random(&mut rng)).collect();
    let b: Vec<F> = (0..8).map(|_| F::random(&mut rng)).collect();
    let (r_a, r_c) = (F::random(&mut rng), F::random(&mut rng));
    let c = inner_product(&a, &b);

    // A commitment to the wrong product: the prover answers with the true one.
    let (U, W) = fx.statement_for(&a, &b, r_a, r_c, c + F::ONE);
    assert!(
      verify(&fx, &prove(&fx, &U, &W), &U).is_err(),
      "a wrong evaluation verified"
    );

    // The honest proof against a commitment to another vector.
    let (U, W) = fx.statement_for(&a, &b, r_a, r_c, c);
    let arg = prove(&fx, &U, &W);
    verify(&fx, &arg, &U).unwrap();
    let mut other_a = a.clone();
    other_a[3] += F::ONE;
    let (other, _) = fx.statement_for(&other_a, &b, r_a, r_c, c);
    assert!(
      verify(&fx, &arg, &other).is_err(),
      "a proof verified for another commitment"
    );

    // The honest proof for another point (another public vector b).
    let mut other_b = b.clone();
    other_b[5] += F::ONE;
    let other = InnerProductInstance::new(&U.comm_a_vec, &other_b, &U.comm_c);
    assert!(
      verify(&fx, &arg, &other).is_err(),
      "a proof verified for another point"
    );

    // The honest proof under another transcript.
    let mut other_transcript = <E as Engine>::TE::new(b"another transcript");
    assert!(
      arg
        .verify(&fx.gens(), 8, &U, &mut other_transcript)
        .is_err()
    );
    let mut absorbed = transcript();
    absorbed.absorb(b"x", &U);
    assert!(arg.verify(&fx.gens(), 8, &U, &mut absorbed).is_err());

    // The honest proof with another independent generator U.
    let other_u = fx.u + fx.h;
    let gens = DotProductGens {
      u: &other_u,
      ..fx.gens()
    };
    assert!(arg.verify(&gens, 8, &U, &mut transcript()).is_err());
  }

  #[test]
  fn the_linear_and_the_logarithmic_arguments_are_not_interchangeable() {
    let fx = Fixture::new();
    let (U, W) = fx.statement(64);
    let log = prove(&fx, &U, &W);
    let linear = InnerProductArgumentLinear::<E>::prove(
      &fx.ck,
      &fx.h,
      &fx.ck_c,
      &fx.h_c,
      &U,
      &W,
      &mut transcript(),
    )
    .unwrap();
    // Both verify under their own verifier; at 64 elements the log one is the smaller.
    verify(&fx, &log, &U).unwrap();
    linear
      .verify(&fx.ck, &fx.h, &fx.ck_c, &fx.h_c, 64, &U, &mut transcript())
      .unwrap();
    // Each one's bytes, read as the other, are refused: by the decoder or by the verifier.
    let log_bytes = bincode::serialize(&log).unwrap();
    let linear_bytes = bincode::serialize(&linear).unwrap();
    assert!(log_bytes.len() < linear_bytes.len());
    if let Ok(as_log) = bincode::deserialize::<InnerProductArgumentLog<E>>(&linear_bytes) {
      assert!(
        verify(&fx, &as_log, &U).is_err(),
        "a linear proof verified as a log one"
      );
    }
    if let Ok(as_linear) = bincode::deserialize::<InnerProductArgumentLinear<E>>(&log_bytes) {
      assert!(
        as_linear
          .verify(&fx.ck, &fx.h, &fx.ck_c, &fx.h_c, 64, &U, &mut transcript())
          .is_err(),
        "a log proof verified as a linear one"
      );
    }
  }

  #[test]
  fn proofs_are_randomized() {
    // Zero knowledge needs fresh blinds: two proofs of one statement share no message.
    let fx = Fixture::new();
    let (U, W) = fx.statement(4);
    let (p, q) = (prove(&fx, &U, &W), prove(&fx, &U, &W));
    assert_ne!(p.comm_c_u, q.comm_c_u);
    assert_ne!(p.L_vec[0], q.L_vec[0]);
    assert_ne!(p.fin_a, q.fin_a);
  }
}
