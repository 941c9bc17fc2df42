namespace ReleaseBoard.Web.Features.Admin;

public static class AdminSetup
{
    public static WebApplicationBuilder AddAdmin(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AuditTrail>();
        return builder;
    }
}
