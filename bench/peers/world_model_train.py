"""PyTorch-eager peer of bench/training.bench.ts: training steps per second of the default world model,
written the way TD-MPC2 writes its world model and update (world_model.py, tdmpc2.py `_update`).

The model is src/training/wm-config.ts's default for obsDim 20, actionDim 4: latent 64, encoder
obs → 256 → latent, dynamics (latent+action) → 256 → 256 → latent, reward (latent+action) → 256 → 1
(zero-initialised output), decoder latent → 256 → obs; every hidden layer Linear → LayerNorm → Mish,
encoder and dynamics outputs Linear → LayerNorm → SimNorm(8). The loss is src/training/wm-objective.ts's
for a full mask: latent consistency against stop-gradient encodings (coefficient 20), reward MSE
(coefficient 1), both weighted ρ^t (ρ = 0.5) and averaged over H = 5, plus the decoder reconstruction
of o₀ and of every predicted latent (coefficient 1). Adam (lr 3e-4) after clipping the global
gradient norm to 20. Batch 256 windows, time-major data from a pool of 8 random minibatches.

    python3 bench/peers/world_model_train.py --threads 1,2 --warmup 2 --runs 5 --steps-per-run 4

prints one JSON line per thread count, unit "steps/s" (one value per timed run of --steps-per-run steps).
"""
import torch
import torch.nn.functional as F
from torch import nn

from common import emit, parser, thread_counts, time_ms

OBS, ACTION, LATENT, HIDDEN, GROUP = 20, 4, 64, 256, 8
HORIZON, BATCH, RHO = 5, 256, 0.5
CONSISTENCY_COEF, REWARD_COEF, DECODER_COEF = 20.0, 1.0, 1.0
LR, GRAD_CLIP = 3e-4, 20.0


class SimNorm(nn.Module):
    """Softmax over groups of GROUP latent entries."""

    def forward(self, x):
        shape = x.shape
        return F.softmax(x.view(*shape[:-1], -1, GROUP), dim=-1).view(shape)


class NormedLinear(nn.Sequential):
    """Linear → LayerNorm → activation (TD-MPC2's NormedLinear)."""

    def __init__(self, inputs, outputs, act):
        super().__init__(nn.Linear(inputs, outputs), nn.LayerNorm(outputs), act)


def mlp(inputs, hidden, outputs, out="linear"):
    dims = [inputs, *hidden]
    layers = [NormedLinear(a, b, nn.Mish()) for a, b in zip(dims[:-1], dims[1:])]
    if out == "simnorm":
        layers.append(NormedLinear(dims[-1], outputs, SimNorm()))
    else:
        last = nn.Linear(dims[-1], outputs)
        if out == "zero":
            nn.init.zeros_(last.weight)
        layers.append(last)
    return nn.Sequential(*layers)


class WorldModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = mlp(OBS, [HIDDEN], LATENT, "simnorm")
        self.dynamics = mlp(LATENT + ACTION, [HIDDEN, HIDDEN], LATENT, "simnorm")
        self.reward = mlp(LATENT + ACTION, [HIDDEN], 1, "zero")
        self.decoder = mlp(LATENT, [HIDDEN], OBS)

    def loss(self, obs, actions, rewards):
        """obs (H+1) × B × O (raw), actions H × B × A, rewards H × B; every step valid (mask 1)."""
        obs = (obs - self.obs_mean) / self.obs_std
        rewards = (rewards - self.reward_mean) / self.reward_std
        with torch.no_grad():
            targets = self.encoder(obs[1:])
        z = z0 = self.encoder(obs[0])
        consistency, joints, predictions = 0.0, [], []
        for t in range(HORIZON):
            za = torch.cat([z, actions[t]], dim=-1)
            joints.append(za)
            z = self.dynamics(za)
            predictions.append(z)
            consistency = consistency + RHO**t * F.mse_loss(z, targets[t])
        consistency = consistency / HORIZON
        rho = RHO ** torch.arange(HORIZON, dtype=torch.float32).unsqueeze(1)
        reward = (rho * (self.reward(torch.stack(joints)).squeeze(-1) - rewards) ** 2).mean()
        # Reconstruct o₀ from z₀ (weight 1) and o_{t+1} from each predicted latent (weight ρ^t).
        decoded = self.decoder(torch.cat([z0.unsqueeze(0), torch.stack(predictions)], 0))
        row_weights = torch.cat([torch.ones(1, 1), rho], 0)
        decoder = (row_weights * ((decoded - obs) ** 2).sum(-1)).sum() / ((HORIZON + 1) * BATCH * OBS)
        return CONSISTENCY_COEF * consistency + REWARD_COEF * reward + DECODER_COEF * decoder


def main():
    p = parser(__doc__)
    p.add_argument("--steps-per-run", type=int, default=4, help="optimiser steps per timed call")
    args = p.parse_args()
    torch.manual_seed(args.seed)
    model = WorldModel()
    model.register_buffer("obs_mean", torch.zeros(OBS))
    model.register_buffer("obs_std", torch.ones(OBS))
    model.reward_mean, model.reward_std = 0.0, 1.0
    optim = torch.optim.Adam(model.parameters(), lr=LR)
    pool = [
        (torch.randn(HORIZON + 1, BATCH, OBS), torch.rand(HORIZON, BATCH, ACTION) * 2 - 1, torch.randn(HORIZON, BATCH))
        for _ in range(8)
    ]
    cursor = [0]

    def step():
        obs, actions, rewards = pool[cursor[0] % len(pool)]
        cursor[0] += 1
        loss = model.loss(obs, actions, rewards)
        optim.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)
        optim.step()

    def run():
        for _ in range(args.steps_per_run):
            step()

    for threads in thread_counts(args.threads):
        torch.set_num_threads(threads)
        ms = time_ms(run, args.warmup, args.runs)
        steps_per_s = [1000.0 * args.steps_per_run / v for v in ms]
        params = sum(p.numel() for p in model.parameters())
        emit("worldmodel.train", "steps/s", steps_per_s, threads, batch=BATCH, horizon=HORIZON, obsDim=OBS, actionDim=ACTION, params=params, stepsPerRun=args.steps_per_run)


if __name__ == "__main__":
    main()
