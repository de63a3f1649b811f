"""PyTorch-eager peer of bench/planning.bench.ts: MPPI on the reference MLP, written the way TD-MPC2
plans (tdmpc2.py `_plan`), one plan per timed call.

The network is src/planning/reference-mlp.ts's: latent S = 64, action A = 4, dynamics
(S+A) → 256 → 256 → S and reward (S+A) → 256 → 1, ReLU. MPPI as src/planning/mppi.ts runs it in the
bench: N samples, K = max(8, N/8) elites, I iterations, σ₀ = σ_max = 2, σ_min = 0.05 for actions in
[−1, 1], temperature λ = 2 in cost units (TD-MPC2's τ = 0.5 on values), discount 0.99, warm start from
the previous mean shifted by one step, the mean executed.

    python3 bench/peers/mppi.py --budgets 256x12x4,512x12x6 --threads 1,2 --warmup 3 --runs 5

prints one JSON line per budget and thread count, unit "ms" per plan.
"""
import torch
from torch import nn

from common import emit, parser, thread_counts, time_ms

LATENT, ACTION, HIDDEN = 64, 4, 256
MIN_STD, MAX_STD, TAU, DISCOUNT = 0.05, 2.0, 0.5, 0.99


class ReferenceMlp(nn.Module):
    """Dynamics and reward head on the joint input [z, a]."""

    def __init__(self):
        super().__init__()
        self.dynamics = nn.Sequential(
            nn.Linear(LATENT + ACTION, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, LATENT)
        )
        self.reward = nn.Sequential(nn.Linear(LATENT + ACTION, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 1))


class Mppi:
    def __init__(self, model, samples, horizon, iterations):
        self.model, self.n, self.h, self.iterations = model, samples, horizon, iterations
        self.k = max(8, samples // 8)
        self.prev_mean = torch.zeros(horizon, ACTION)
        self.discounts = DISCOUNT ** torch.arange(horizon, dtype=torch.float32)

    def value(self, z0, actions):
        """Discounted predicted return of each candidate; actions are H × N × A."""
        z = z0.expand(self.n, LATENT)
        rewards = []
        for t in range(self.h):
            za = torch.cat([z, actions[t]], dim=-1)
            rewards.append(self.model.reward(za))
            z = self.model.dynamics(za)
        return (torch.cat(rewards, dim=-1) * self.discounts).sum(-1)

    @torch.inference_mode()
    def plan(self, z0):
        # Warm start: the previous plan's mean shifted by the one step executed since.
        mean = torch.zeros(self.h, ACTION)
        mean[:-1] = self.prev_mean[1:]
        std = torch.full((self.h, ACTION), MAX_STD)
        for _ in range(self.iterations):
            # Sample
            actions = (mean.unsqueeze(1) + std.unsqueeze(1) * torch.randn(self.h, self.n, ACTION)).clamp(-1, 1)
            # Evaluate, select elites
            value = self.value(z0, actions).nan_to_num(float("-inf"))
            elite_value, elite_idx = torch.topk(value, self.k)
            elite_actions = actions[:, elite_idx]
            # Weight and update
            score = torch.exp(TAU * (elite_value - elite_value.max()))
            score = score / score.sum()
            mean = (score.view(1, -1, 1) * elite_actions).sum(1)
            std = (score.view(1, -1, 1) * (elite_actions - mean.unsqueeze(1)) ** 2).sum(1).sqrt().clamp(MIN_STD, MAX_STD)
        self.prev_mean = mean
        return mean[0]


def main():
    p = parser(__doc__)
    p.add_argument("--budgets", default="256x12x4,512x12x6,1024x16x6", help="samples×horizon×iterations, comma-separated")
    args = p.parse_args()
    torch.manual_seed(args.seed)
    model = ReferenceMlp().eval()
    z0 = torch.randn(1, LATENT)
    for budget in args.budgets.split(","):
        samples, horizon, iterations = (int(x) for x in budget.split("x"))
        for threads in thread_counts(args.threads):
            torch.set_num_threads(threads)
            mppi = Mppi(model, samples, horizon, iterations)
            ms = time_ms(lambda: mppi.plan(z0), args.warmup, args.runs)
            emit("mppi.ref", "ms", ms, threads, budget=budget, samples=samples, horizon=horizon, iterations=iterations, elites=mppi.k)


if __name__ == "__main__":
    main()
