"""(c) Object-heavy code: a small task scheduler (richards-like)."""
class Task:
    def __init__(self, name, work):
        self.name = name
        self.work = work
        self.done = 0

    def step(self, queue):
        self.done += 1
        if self.done < self.work:
            queue.append(self)

class Scheduler:
    def __init__(self):
        self.queue = []

    def add(self, task):
        self.queue.append(task)

    def run(self):
        steps = 0
        while self.queue:
            task = self.queue.pop(0)
            task.step(self.queue)
            steps += 1
        return steps

def run():
    for _ in range(80):
        s = Scheduler()
        for i in range(100):
            s.add(Task(f"t{i}", 50 + i % 7))
        s.run()
