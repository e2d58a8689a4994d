"""(c) Float arithmetic in loops over lists (pyperformance's nbody,
smaller)."""
BODIES = [
    ([4.84, -1.16, -0.10], [0.606, 2.81, -0.02], 0.037),
    ([8.34, 4.12, -0.40], [-1.01, 1.82, 0.008], 0.011),
    ([12.89, -15.11, -0.22], [1.08, 0.868, -0.01], 0.0017),
    ([15.37, -25.91, 0.17], [0.979, 0.594, -0.034], 0.002),
    ([0.0, 0.0, 0.0], [0.0, 0.0, 0.0], 39.47),
]
PAIRS = [(BODIES[i], BODIES[j]) for i in range(5) for j in range(i + 1, 5)]

def advance(dt, n):
    for _ in range(n):
        for ([x1, y1, z1], v1, m1), ([x2, y2, z2], v2, m2) in PAIRS:
            dx, dy, dz = x1 - x2, y1 - y2, z1 - z2
            mag = dt * ((dx * dx + dy * dy + dz * dz) ** -1.5)
            b1, b2 = m1 * mag, m2 * mag
            v1[0] -= dx * b2
            v1[1] -= dy * b2
            v1[2] -= dz * b2
            v2[0] += dx * b1
            v2[1] += dy * b1
            v2[2] += dz * b1
        for r, [vx, vy, vz], m in BODIES:
            r[0] += dt * vx
            r[1] += dt * vy
            r[2] += dt * vz

def run():
    advance(0.01, 10000)
