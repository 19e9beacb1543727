-- Customer users: our own staff (is_internal) and people of deleted accounts are excluded.
select
    c.user_id,
    c.account_id,
    c.role,
    c.created_at
from {{ ref('int_contacts') }} as c
inner join {{ ref('int_customer_accounts') }} as a on c.account_id = a.account_id
where not c.is_internal
