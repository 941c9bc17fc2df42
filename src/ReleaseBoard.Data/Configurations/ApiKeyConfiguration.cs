using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Data.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("ApiKeys");
        builder.Property(k => k.Name).HasMaxLength(100);
        builder.Property(k => k.KeyHash).HasMaxLength(64).IsUnicode(false);
        builder.Property(k => k.KeyPrefix).HasMaxLength(16).IsUnicode(false);
        builder.Property(k => k.CreatedBy).HasMaxLength(200);
        builder.Ignore(k => k.IsActive);
        builder.HasIndex(k => k.KeyHash).IsUnique();
        builder.HasIndex(k => k.Name).IsUnique();
        builder.HasOne(k => k.Team).WithMany().OnDelete(DeleteBehavior.Cascade);
    }
}
