//! A constraint system that records everything a circuit does, to inspect it without proving:
//! whether an assignment satisfies it, which constraint fails, which witness variables a mutation
//! leaves unnoticed, and a digest of its shape.

use bellpepper_core::{ConstraintSystem, Index, LinearCombination, SynthesisError, Variable};
use ff::{Field, PrimeField};
use zkpsm_primitives::Fq;

type Terms = Vec<(Index, Fq)>;

struct Constraint {
    name: String,
    a: Terms,
    b: Terms,
    c: Terms,
}

/// Records inputs, witness variables (with their names) and constraints.
pub struct RecordingCs {
    inputs: Vec<Fq>,
    aux: Vec<Fq>,
    aux_names: Vec<String>,
    constraints: Vec<Constraint>,
    namespace: Vec<String>,
}

impl Default for RecordingCs {
    fn default() -> Self {
        Self {
            inputs: vec![Fq::ONE],
            aux: Vec::new(),
            aux_names: Vec::new(),
            constraints: Vec::new(),
            namespace: Vec::new(),
        }
    }
}

impl RecordingCs {
    /// Number of constraints.
    pub fn num_constraints(&self) -> usize {
        self.constraints.len()
    }

    /// Number of witness (auxiliary) variables.
    pub fn num_aux(&self) -> usize {
        self.aux.len()
    }

    /// Number of public inputs (without the constant one).
    pub fn num_inputs(&self) -> usize {
        self.inputs.len() - 1
    }

    /// The public input values (without the constant one).
    pub fn inputs(&self) -> &[Fq] {
        &self.inputs[1..]
    }

    /// The name of the first unsatisfied constraint, or `None` if the assignment satisfies all.
    pub fn first_unsatisfied(&self) -> Option<&str> {
        self.constraints
            .iter()
            .find(|c| !self.holds(c, None))
            .map(|c| c.name.as_str())
    }

    /// The names of every unsatisfied constraint, in order.
    pub fn unsatisfied(&self) -> Vec<&str> {
        self.constraints
            .iter()
            .filter(|c| !self.holds(c, None))
            .map(|c| c.name.as_str())
            .collect()
    }

    /// Witness variables that can each be perturbed (by adding one) without breaking any
    /// constraint: for a sound circuit every variable appears here only for a stated reason.
    pub fn mutation_survivors(&self) -> Vec<String> {
        self.mutation_survivors_by(|_| Fq::ONE)
    }

    /// [`RecordingCs::mutation_survivors`] with variable `i` perturbed by adding `delta(i)`, such
    /// as a random field element, which no special structure of `+1` can hide.
    pub fn mutation_survivors_by(&self, mut delta: impl FnMut(usize) -> Fq) -> Vec<String> {
        let mut touching: Vec<Vec<usize>> = vec![Vec::new(); self.aux.len()];
        for (k, c) in self.constraints.iter().enumerate() {
            for (index, _) in c.a.iter().chain(&c.b).chain(&c.c) {
                if let Index::Aux(i) = index
                    && touching[*i].last() != Some(&k)
                {
                    touching[*i].push(k);
                }
            }
        }
        (0..self.aux.len())
            .filter(|&i| {
                let perturbed = Some((i, self.aux[i] + delta(i)));
                touching[i]
                    .iter()
                    .all(|&k| self.holds(&self.constraints[k], perturbed))
            })
            .map(|i| self.aux_names[i].clone())
            .collect()
    }

    /// A digest of the circuit's shape: every constraint's sparse matrices and the variable counts,
    /// independent of the assignment.
    pub fn shape_digest(&self) -> [u8; 32] {
        let mut h = blake3::Hasher::new_derive_key("zkpsm 2026 circuit shape");
        h.update(&(self.inputs.len() as u64).to_le_bytes());
        h.update(&(self.aux.len() as u64).to_le_bytes());
        for c in &self.constraints {
            for terms in [&c.a, &c.b, &c.c] {
                h.update(&(terms.len() as u64).to_le_bytes());
                for (index, coeff) in terms {
                    let (tag, i) = match index {
                        Index::Input(i) => (0u8, *i),
                        Index::Aux(i) => (1u8, *i),
                    };
                    h.update(&[tag]);
                    h.update(&(i as u64).to_le_bytes());
                    h.update(coeff.to_repr().as_ref());
                }
            }
        }
        *h.finalize().as_bytes()
    }

    fn value(&self, index: &Index, perturbed: Option<(usize, Fq)>) -> Fq {
        match index {
            Index::Input(i) => self.inputs[*i],
            Index::Aux(i) => match perturbed {
                Some((j, v)) if j == *i => v,
                _ => self.aux[*i],
            },
        }
    }

    fn eval(&self, terms: &Terms, perturbed: Option<(usize, Fq)>) -> Fq {
        terms
            .iter()
            .map(|(index, coeff)| self.value(index, perturbed) * coeff)
            .sum()
    }

    fn holds(&self, c: &Constraint, perturbed: Option<(usize, Fq)>) -> bool {
        self.eval(&c.a, perturbed) * self.eval(&c.b, perturbed) == self.eval(&c.c, perturbed)
    }

    fn path(&self, name: String) -> String {
        let mut path = self.namespace.join("/");
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(&name);
        path
    }
}

fn terms(lc: LinearCombination<Fq>) -> Terms {
    lc.iter()
        .map(|(var, coeff)| (var.get_unchecked(), *coeff))
        .collect()
}

impl ConstraintSystem<Fq> for RecordingCs {
    type Root = Self;

    fn alloc<F, A, AR>(&mut self, annotation: A, f: F) -> Result<Variable, SynthesisError>
    where
        F: FnOnce() -> Result<Fq, SynthesisError>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        self.aux.push(f()?);
        let name = self.path(annotation().into());
        self.aux_names.push(name);
        Ok(Variable::new_unchecked(Index::Aux(self.aux.len() - 1)))
    }

    fn alloc_input<F, A, AR>(&mut self, _annotation: A, f: F) -> Result<Variable, SynthesisError>
    where
        F: FnOnce() -> Result<Fq, SynthesisError>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        self.inputs.push(f()?);
        Ok(Variable::new_unchecked(Index::Input(self.inputs.len() - 1)))
    }

    fn enforce<A, AR, LA, LB, LC>(&mut self, annotation: A, a: LA, b: LB, c: LC)
    where
        A: FnOnce() -> AR,
        AR: Into<String>,
        LA: FnOnce(LinearCombination<Fq>) -> LinearCombination<Fq>,
        LB: FnOnce(LinearCombination<Fq>) -> LinearCombination<Fq>,
        LC: FnOnce(LinearCombination<Fq>) -> LinearCombination<Fq>,
    {
        let name = self.path(annotation().into());
        self.constraints.push(Constraint {
            name,
            a: terms(a(LinearCombination::zero())),
            b: terms(b(LinearCombination::zero())),
            c: terms(c(LinearCombination::zero())),
        });
    }

    fn push_namespace<NR, N>(&mut self, name_fn: N)
    where
        NR: Into<String>,
        N: FnOnce() -> NR,
    {
        self.namespace.push(name_fn().into());
    }

    fn pop_namespace(&mut self) {
        self.namespace.pop();
    }

    fn get_root(&mut self) -> &mut Self::Root {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bellpepper_core::num::AllocatedNum;

    #[test]
    fn finds_unsatisfied_constraints_and_free_variables() {
        let mut cs = RecordingCs::default();
        let x = AllocatedNum::alloc(cs.namespace(|| "x"), || Ok(Fq::from(3))).unwrap();
        let y = x.square(cs.namespace(|| "y")).unwrap();
        let _free = AllocatedNum::alloc(cs.namespace(|| "free"), || Ok(Fq::from(5))).unwrap();
        assert_eq!(cs.first_unsatisfied(), None);
        // x is pinned by y = x^2 and y by the same constraint; "free" is in no constraint.
        assert_eq!(cs.mutation_survivors(), vec!["free/num".to_string()]);
        cs.enforce(
            || "y is ten",
            |lc| lc + y.get_variable(),
            |lc| lc + CS1,
            |lc| lc + (Fq::from(10), CS1),
        );
        assert_eq!(cs.first_unsatisfied(), Some("y is ten"));
    }

    const CS1: Variable = Variable(Index::Input(0));
}
