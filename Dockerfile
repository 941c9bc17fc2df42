# ReleaseBoard: build with the .NET SDK (plus Node.js for the client-side packages), run on the ASP.NET runtime.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /source
COPY . .
RUN dotnet publish src/ReleaseBoard.Web/ReleaseBoard.Web.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# Calendar math happens in each team's IANA time zone.
RUN apt-get update && apt-get install -y --no-install-recommends tzdata curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
# The app runs as the image's unprivileged user; /data (the SQLite file, if used) belongs to it.
RUN mkdir -p /data && chown "$APP_UID" /data
USER $APP_UID
ENV ASPNETCORE_URLS=http://+:8080 \
    Database__DataFolder=/data
VOLUME /data
EXPOSE 8080
# Liveness: the process serves and the database answers (compose asks /readyz, which also wants migrations applied).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS http://localhost:8080/healthz || exit 1
# No secret is baked in: connection strings, the first admin and webhook secrets come from the environment.
ENTRYPOINT ["dotnet", "ReleaseBoard.Web.dll"]
