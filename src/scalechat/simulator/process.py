"""Run the simulator as a child process, so `scalechat serve` works with nothing configured."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time

import httpx

START_TIMEOUT_SECONDS = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class SimulatorProcess:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "scalechat",
            "simulate",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--parent-pid",
            str(os.getpid()),
            env=os.environ.copy(),
            stdin=asyncio.subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                if self._process.returncode is not None:
                    raise RuntimeError(f"the simulator exited with code {self._process.returncode}")
                try:
                    if (await client.get(self.url + "/healthz", timeout=1.0)).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
        await self.stop()
        raise RuntimeError("the simulator did not start in time")

    async def stop(self) -> None:
        if self._process is None or self._process.returncode is not None:
            return
        self._process.terminate()
        try:
            await asyncio.wait_for(self._process.wait(), timeout=5)
        except TimeoutError:
            self._process.kill()
            await self._process.wait()
