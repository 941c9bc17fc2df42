using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Data.Configurations;

internal sealed class WebhookSecretConfiguration : IEntityTypeConfiguration<WebhookSecret>
{
    public void Configure(EntityTypeBuilder<WebhookSecret> builder)
    {
        builder.ToTable("WebhookSecrets");
        builder.Property(s => s.Tool).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Repository).HasMaxLength(200);
        builder.Property(s => s.ProtectedSecret).HasMaxLength(2000).IsUnicode(false);
        builder.Property(s => s.CreatedBy).HasMaxLength(200);
        builder.HasIndex(s => new { s.Tool, s.RevokedAt });
        builder.HasOne(s => s.Service).WithMany().OnDelete(DeleteBehavior.Cascade);
        // SQL Server refuses a second cascade path (team -> service -> secret).
        builder.HasOne(s => s.Team).WithMany().OnDelete(DeleteBehavior.NoAction);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("WebhookDeliveries");
        builder.Property(d => d.Tool).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.DeliveryId).HasMaxLength(200);
        builder.HasIndex(d => new { d.Tool, d.DeliveryId }).IsUnique();
    }
}
