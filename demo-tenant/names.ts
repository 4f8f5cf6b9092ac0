/** Word lists for the generator. Plain data, kept apart so generator.ts stays readable. */

export const FIRST_NAMES: readonly string[] = [
  'Adele', 'Alex', 'Allan', 'Amara', 'Amelia', 'Ana', 'Andre', 'Anika', 'Arjun', 'Ava',
  'Bianca', 'Ben', 'Brian', 'Camille', 'Carlos', 'Chen', 'Chloe', 'Christie', 'Daniel', 'Diego',
  'Elena', 'Emily', 'Enrico', 'Eva', 'Fatima', 'Felix', 'Fiona', 'Gabriel', 'Grace', 'Hana',
  'Harper', 'Hiro', 'Isaiah', 'Isabella', 'Ivan', 'Jakob', 'James', 'Jasmine', 'Javier', 'Johanna',
  'Jonas', 'Joni', 'Julia', 'Kai', 'Karin', 'Kenji', 'Laila', 'Lars', 'Laura', 'Lee',
  'Leila', 'Liam', 'Lidia', 'Lucas', 'Lynne', 'Mai', 'Malik', 'Maria', 'Marta', 'Mateo',
  'Megan', 'Mei', 'Miguel', 'Mila', 'Miriam', 'Nadia', 'Nestor', 'Nia', 'Noah', 'Nora',
  'Olivia', 'Omar', 'Oscar', 'Patti', 'Pedro', 'Pradeep', 'Priya', 'Rafael', 'Raj', 'Rosa',
  'Ruth', 'Sakura', 'Samir', 'Sara', 'Sebastian', 'Sofia', 'Sven', 'Tamara', 'Theo', 'Tomas',
  'Uma', 'Valentina', 'Victor', 'Wei', 'William', 'Xavier', 'Yara', 'Yusuf', 'Zara', 'Zoe',
];

export const LAST_NAMES: readonly string[] = [
  'Abbott', 'Adams', 'Ahmed', 'Alvarez', 'Andersen', 'Bauer', 'Becker', 'Bianchi', 'Brown', 'Campbell',
  'Castro', 'Chen', 'Clark', 'Costa', 'Das', 'Davis', 'Diaz', 'Dubois', 'Eriksson', 'Evans',
  'Fernandez', 'Fischer', 'Fontaine', 'Garcia', 'Gomez', 'Gonzalez', 'Gupta', 'Hansen', 'Harris', 'Hoffmann',
  'Hughes', 'Ito', 'Jackson', 'Jensen', 'Johansson', 'Johnson', 'Kim', 'Kowalski', 'Kumar', 'Larsen',
  'Laurent', 'Lee', 'Lewis', 'Lopez', 'Martin', 'Martinez', 'Meyer', 'Miller', 'Moreau', 'Morris',
  'Muller', 'Murphy', 'Nakamura', 'Nguyen', 'Nielsen', 'Novak', 'Okafor', 'Olsen', 'Patel', 'Perez',
  'Petrov', 'Quinn', 'Ramirez', 'Reddy', 'Richter', 'Rivera', 'Roberts', 'Rossi', 'Russo', 'Sato',
  'Schmidt', 'Schneider', 'Shah', 'Silva', 'Singh', 'Smith', 'Sousa', 'Suzuki', 'Svensson', 'Tanaka',
  'Taylor', 'Thomas', 'Torres', 'Tran', 'Turner', 'Vance', 'Vargas', 'Walker', 'Wang', 'Weber',
  'White', 'Wilson', 'Wong', 'Wright', 'Yamamoto', 'Yilmaz', 'Young', 'Zhang', 'Zimmermann', 'Zhou',
];

export const DEPARTMENTS = [
  'Sales',
  'Engineering',
  'Finance',
  'HR',
  'Marketing',
  'Legal',
  'IT',
  'Operations',
  'Customer Support',
  'Executive',
] as const;
export type Department = (typeof DEPARTMENTS)[number];

/** Rough head-count shares of a mid-size company. */
export const DEPARTMENT_WEIGHTS: readonly number[] = [18, 22, 7, 5, 8, 4, 7, 12, 15, 2];

export const JOB_TITLES: Record<Department, readonly string[]> = {
  Sales: ['Account Executive', 'Sales Representative', 'Sales Manager', 'Business Development Manager', 'Regional Sales Director', 'Sales Operations Analyst'],
  Engineering: ['Software Engineer', 'Senior Software Engineer', 'Principal Engineer', 'Engineering Manager', 'QA Engineer', 'DevOps Engineer', 'Product Manager'],
  Finance: ['Financial Analyst', 'Accountant', 'Controller', 'Payroll Specialist', 'Finance Manager'],
  HR: ['HR Generalist', 'Recruiter', 'HR Business Partner', 'Talent Acquisition Lead', 'HR Manager'],
  Marketing: ['Marketing Specialist', 'Content Strategist', 'Product Marketing Manager', 'Brand Manager', 'Digital Marketing Analyst'],
  Legal: ['Legal Counsel', 'Paralegal', 'Compliance Officer', 'Contracts Manager'],
  IT: ['IT Support Specialist', 'Systems Administrator', 'Network Engineer', 'Security Analyst', 'IT Manager', 'Microsoft 365 Administrator'],
  Operations: ['Operations Coordinator', 'Logistics Specialist', 'Operations Manager', 'Facilities Coordinator', 'Procurement Specialist'],
  'Customer Support': ['Support Agent', 'Senior Support Agent', 'Customer Success Manager', 'Support Team Lead'],
  Executive: ['Chief Executive Officer', 'Chief Financial Officer', 'Chief Technology Officer', 'Chief Operating Officer', 'Vice President', 'Executive Assistant'],
};

export interface Office {
  name: string;
  usageLocation: string;
  city: string;
  country: string;
}

export const OFFICES: readonly Office[] = [
  { name: 'Seattle HQ', usageLocation: 'US', city: 'Seattle', country: 'United States' },
  { name: 'New York', usageLocation: 'US', city: 'New York', country: 'United States' },
  { name: 'Toronto', usageLocation: 'CA', city: 'Toronto', country: 'Canada' },
  { name: 'London', usageLocation: 'GB', city: 'London', country: 'United Kingdom' },
  { name: 'Dublin', usageLocation: 'IE', city: 'Dublin', country: 'Ireland' },
  { name: 'Munich', usageLocation: 'DE', city: 'Munich', country: 'Germany' },
  { name: 'Singapore', usageLocation: 'SG', city: 'Singapore', country: 'Singapore' },
  { name: 'Sydney', usageLocation: 'AU', city: 'Sydney', country: 'Australia' },
];
export const OFFICE_WEIGHTS: readonly number[] = [30, 14, 8, 14, 7, 11, 8, 8];

export const GUEST_DOMAINS: readonly string[] = [
  'fabrikam.com',
  'northwindtraders.com',
  'adatum.com',
  'tailspintoys.com',
  'woodgrovebank.com',
  'litwareinc.com',
];
