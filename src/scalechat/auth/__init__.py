"""Who is asking, and may they? `Authenticator` turns a request into a `Principal`.

    AUTH_MODE=local     everyone is the one local user; the server refuses non-loopback addresses
    AUTH_MODE=entra     browser sessions (OIDC code flow + PKCE run by the server, `sessions`)
                        and `Authorization: Bearer` access tokens (`jwks`), both from Entra ID
                        or the issuer in OIDC_ISSUER
    AUTH_MODE=easyauth  App Service Authentication's headers (`easyauth`), trusted only here

`policy` maps claims to a Principal and decides access (roles, tenants, groups); `graph`
reads the user's profile photo. Nothing here imports FastAPI: `api/auth.py` and
`api/deps.py` adapt it to HTTP.
"""
