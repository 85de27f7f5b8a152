"""Core: pure logic and adapters. Never imports app.services or app.ui."""
