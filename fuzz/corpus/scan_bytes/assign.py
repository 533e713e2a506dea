DB_PASSWORD = "PtYgjmUh%Bel31"
api_key: '8DwkNhFdnXsiVpzz63FfkCzJ'
