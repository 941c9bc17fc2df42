using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Data.Configurations;

internal sealed class ServiceEnvironmentConfiguration : IEntityTypeConfiguration<ServiceEnvironment>
{
    public void Configure(EntityTypeBuilder<ServiceEnvironment> builder)
    {
        builder.ToTable("Environments");
        builder.Property(e => e.Name).HasMaxLength(64);
        builder.Property(e => e.Namespace).HasMaxLength(64);
        builder.Property(e => e.PromotionModeChangedBy).HasMaxLength(200);
        builder.Property(e => e.PromotionModeReason).HasMaxLength(1000);
        builder.Property(e => e.PromotionMode).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.ConcurrencyStamp).IsConcurrencyToken();
        builder.HasIndex(e => new { e.ServiceId, e.Name }).IsUnique();
        builder.HasIndex(e => new { e.ServiceId, e.Order });
        builder.HasOne(e => e.Service).WithMany(s => s.Environments).OnDelete(DeleteBehavior.Cascade);
    }
}
