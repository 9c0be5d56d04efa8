"""khabar: Arabic news entities and economic figures."""
