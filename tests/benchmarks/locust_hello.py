"""Locust users for the bare "hello" view."""

from locust import FastHttpUser, task


class Visitor(FastHttpUser):
    @task
    def hello(self):
        self.client.get("/", name="hello")
