"""The partner programme's pages, one module per area: registrations (with the public programme
pages), activity reports, requests to the city, and opportunities with their sign-ups."""
