const apiKey = "hvMdgaKjIg8xNbe3nNyjOq9w"; // keyfence:allow generic-secret reason="fixture"
