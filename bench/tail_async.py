"""(a) Async tail recursion: coroutines that tail-await each other, and
suspend now and then, driven by send() as an event loop drives them."""
import types


@types.coroutine
def tick():
    yield


async def ping(n):
    if n % 1000 == 0:
        await tick()
    return "done" if n == 0 else await pong(n - 1)


async def pong(n):
    return await ping(n - 1) if n else "done"


def run():
    for _ in range(10):
        c = ping(20_000)
        try:
            while True:
                c.send(None)
        except StopIteration:
            pass
