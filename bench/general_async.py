"""(c) Coroutines: awaits that are not tail awaits, and tail awaits in
short chains (inside the kept window), driven by send() as an event loop
drives them."""
import types


@types.coroutine
def tick():
    yield


async def leaf(x):
    await tick()
    return x + 1


async def middle(x):
    y = await leaf(x)
    return y * 2


async def short_chain(n, acc):
    if n == 0:
        return acc
    return await short_chain(n - 1, acc + await middle(n))


def drive(coro):
    try:
        while True:
            coro.send(None)
    except StopIteration as e:
        return e.value


def run():
    for _ in range(400):
        drive(short_chain(10, 0))
