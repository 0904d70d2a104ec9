"""The website chat widget: static files, socket.io-client from npm and a small server for them."""
