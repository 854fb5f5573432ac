"""The councils' pages for residents: `public` (anyone) and `signup` (signing up, a guest's
page at its secret address, and the signed-in person's sign-ups and pool entry)."""
